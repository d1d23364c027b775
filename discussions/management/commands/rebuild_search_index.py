"""Re-index every thread and visible post for site-wide search (after an import, a restore
from backup, or to check nothing drifted). On SQLite this refills the FTS5 tables; on
PostgreSQL the stored generated columns are always current, so nothing needs doing."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from core.search import rebuild_registered
from discussions import search_index


class Command(BaseCommand):
    help = "Refill the full-text search index of threads and posts (SQLite; no-op on PostgreSQL)."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            threads, posts = search_index.rebuild()
        how = "rebuilt" if search_index.uses_fts5() else "kept by the database (nothing to do)"
        self.stdout.write(f"Search index {how}: {threads} threads, {posts} visible posts.")
        for line in rebuild_registered():  # the other apps' indexes (core.search)
            self.stdout.write(line)
