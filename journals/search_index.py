"""The journal's full-text index, kept in step by the entry services.

What is searched: the title (weight A) and ``Entry.search_text`` (B): the title, the body
as plain text and the notes on its competencies, recomputed by the services in the same
transaction as the change. Who may find an entry is decided at query time
(``permissions.entries_visible_to``), never stored here: a private entry is indexed so that
its author finds it, and nobody else ever does.

PostgreSQL: ``journals_entry.search_vector`` is a stored generated ``tsvector`` column
(migration 0002) with a GIN index: the database recomputes it on every write.
SQLite: the FTS5 table ``journals_entry_fts`` holds every entry that is not deleted; the
services call :func:`index_entry` and :func:`remove_entries`. Rebuilding walks the table in
batches, so it never holds all the text in memory.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection

from journals.models import Entry

ENTRY_FTS = "journals_entry_fts"
INDEXED_CHARS = 100_000
BATCH = 500


def uses_fts5() -> bool:
    return connection.vendor == "sqlite"


def index_entry(entry: Any) -> None:
    """Put ``entry`` in the index as it stands, or take it out if it was deleted (same
    transaction as the service's write)."""
    if not uses_fts5():
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {ENTRY_FTS} WHERE rowid = %s", [entry.pk])  # noqa: S608
        if entry.deleted_at is None:
            cursor.execute(
                f"INSERT INTO {ENTRY_FTS} (rowid, title, body) VALUES (%s, %s, %s)",  # noqa: S608
                [entry.pk, entry.title, entry.search_text[:INDEXED_CHARS]],
            )


def remove_entries(ids: Iterable[int]) -> None:
    """Drop the rows of entries deleted for good (a batch of ids at a time)."""
    if not uses_fts5():
        return
    pending = list(ids)
    with connection.cursor() as cursor:
        for start in range(0, len(pending), BATCH):
            chunk = pending[start : start + BATCH]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"DELETE FROM {ENTRY_FTS} WHERE rowid IN ({marks})",  # noqa: S608
                chunk,
            )


def rebuild() -> int:
    """Re-index every entry that is not deleted (SQLite), a batch at a time. On
    PostgreSQL the column is always current. Returns how many are searchable."""
    if uses_fts5():
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {ENTRY_FTS}")  # noqa: S608
            last = 0
            while True:
                rows = list(
                    Entry.objects.filter(deleted_at__isnull=True, pk__gt=last)
                    .order_by("pk")
                    .values_list("pk", "title", "search_text")[:BATCH]
                )
                if not rows:
                    break
                cursor.executemany(
                    f"INSERT INTO {ENTRY_FTS} (rowid, title, body) VALUES (%s, %s, %s)",  # noqa: S608
                    [(pk, title, text[:INDEXED_CHARS]) for pk, title, text in rows],
                )
                last = rows[-1][0]
    return Entry.objects.filter(deleted_at__isnull=True).count()
