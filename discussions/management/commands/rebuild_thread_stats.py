"""Recompute every thread's denormalised post count, last post, last poster and last
activity from its posts (after an import, a bulk fix, or to check nothing drifted)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from discussions.models import Thread
from discussions.services import thread_rebuild_stats


class Command(BaseCommand):
    help = "Recompute post_count, last_post, last_poster and last_activity_at of threads."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--thread", type=int, action="append", help="Only this thread id.")

    def handle(self, *args: Any, **options: Any) -> None:
        ids = options["thread"]
        fields = ("pk", "post_count", "last_post_id", "last_poster_id")
        before = {row[0]: row for row in self.rows(ids, fields)}
        rebuilt = thread_rebuild_stats(thread_ids=ids)
        changed = sum(1 for row in self.rows(ids, fields) if before.get(row[0]) != row)
        self.stdout.write(f"Threads rebuilt: {rebuilt}; corrected: {changed}.")

    @staticmethod
    def rows(ids: list[int] | None, fields: tuple[str, ...]) -> list[tuple[Any, ...]]:
        qs = Thread.objects.all() if ids is None else Thread.objects.filter(pk__in=ids)
        return list(qs.values_list(*fields))
