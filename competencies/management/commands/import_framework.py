from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from competencies.services import FrameworkFormatError, framework_import


class Command(BaseCommand):
    help = (
        "Create or update a competency framework from a JSON file (default: the CEP "
        "framework shipped with Commonplace). Idempotent; nothing is written if the file "
        "is malformed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", help="JSON file (default: the shipped CEP file)")
        parser.add_argument(
            "--default", action="store_true", help="Make this the default framework."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"] or settings.COMPETENCY_FRAMEWORK_FILE)
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise CommandError(f"{path}: no such file") from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"{path}: not UTF-8 text") from exc
        except json.JSONDecodeError as exc:
            raise CommandError(
                f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
            ) from exc
        try:
            result = framework_import(document=document, make_default=options["default"])
        except FrameworkFormatError as exc:
            raise CommandError(f"{path}: {exc.path}: {exc.message}; nothing was imported") from exc
        totals = result.totals
        self.stdout.write(
            f"Framework “{result.framework.slug}”: {totals['created']} created, "
            f"{totals['updated']} updated, {totals['unchanged']} unchanged"
        )
        for kind, counter in result.counts.items():
            line = (
                f"  {kind.replace('_', ' ')}: {counter['created']} created, "
                f"{counter['updated']} updated, {counter['unchanged']} unchanged"
            )
            if counter.get("kept"):
                line += f", {counter['kept']} kept (not in the file)"
            self.stdout.write(line)
