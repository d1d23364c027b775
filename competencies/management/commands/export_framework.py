from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from competencies.models import Framework
from competencies.services import framework_export


class Command(BaseCommand):
    help = "Write a competency framework as JSON (the format import_framework reads)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", nargs="?", help="framework slug (default: the default one)")
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        slug = options["slug"]
        qs = Framework.objects.all()
        framework = qs.filter(slug=slug).first() if slug else qs.filter(is_default=True).first()
        if framework is None:
            known = ", ".join(qs.values_list("slug", flat=True)) or "none imported yet"
            raise CommandError(f"No framework “{slug or 'default'}” (known: {known}).")
        text = json.dumps(framework_export(framework=framework), indent=2, ensure_ascii=False)
        if options["output"]:
            Path(options["output"]).write_text(text + "\n", encoding="utf-8")
            self.stderr.write(f"Wrote {options['output']}")
        else:
            self.stdout.write(text)
