"""Re-index everything the site-wide search reads (after an import, a restore from backup,
or to check nothing drifted): every app's rebuild registered with
``core.search.register_rebuilder``. On SQLite this refills the FTS5 tables; on PostgreSQL
the stored generated columns are always current, so nothing needs doing."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from core.search import rebuild_registered


class Command(BaseCommand):
    help = "Refill the full-text search indexes of every app (SQLite; no-op on PostgreSQL)."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            reports = rebuild_registered()
        for line in reports:
            self.stdout.write(line)
