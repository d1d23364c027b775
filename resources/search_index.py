"""The repertoire's search index, kept in step by the services that write resources.

What is searched: the title (weight A), the description (B), and ``Resource.search_text``
(C): tags, a note's text, a link's address, the source, and the text extracted from the
current file version. The services recompute ``search_text`` in the same transaction as
the change (and the upload module's extraction listener does when a file's text arrives),
so search never disagrees with what was committed: a restored resource is found again at
once, a deleted one never.

PostgreSQL: ``resources_resource.search_vector`` is a stored generated ``tsvector`` column
(migration 0002) with a GIN index: the database recomputes it on every write.
SQLite: the FTS5 table ``resources_resource_fts`` holds every resource that is not deleted;
the services call :func:`index_resource`. Rebuilding walks the table in batches, so it
never holds all the text in memory.
"""

from __future__ import annotations

from django.db import connection

from resources.models import Resource

RESOURCE_FTS = "resources_resource_fts"
INDEXED_CHARS = 100_000
BATCH = 500


def uses_fts5() -> bool:
    return connection.vendor == "sqlite"


def index_resource(resource: Resource) -> None:
    """Put ``resource`` in the index as it stands, or take it out if it was deleted."""
    if not uses_fts5():
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {RESOURCE_FTS} WHERE rowid = %s", [resource.pk])  # noqa: S608
        if resource.deleted_at is None:
            cursor.execute(
                f"INSERT INTO {RESOURCE_FTS} (rowid, title, description, body) "  # noqa: S608
                "VALUES (%s, %s, %s, %s)",
                [
                    resource.pk,
                    resource.title,
                    resource.description[:INDEXED_CHARS],
                    resource.search_text[:INDEXED_CHARS],
                ],
            )


def remove_resource(resource_id: int) -> None:
    if not uses_fts5():
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {RESOURCE_FTS} WHERE rowid = %s", [resource_id])  # noqa: S608


def rebuild() -> int:
    """Re-index every resource that is not deleted (SQLite), a batch at a time. On
    PostgreSQL the column is always current. Returns how many are searchable."""
    if uses_fts5():
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {RESOURCE_FTS}")  # noqa: S608
            last = 0
            while True:
                rows = list(
                    Resource.objects.filter(deleted_at__isnull=True, pk__gt=last)
                    .order_by("pk")
                    .values_list("pk", "title", "description", "search_text")[:BATCH]
                )
                if not rows:
                    break
                cursor.executemany(
                    f"INSERT INTO {RESOURCE_FTS} (rowid, title, description, body) "  # noqa: S608
                    "VALUES (%s, %s, %s, %s)",
                    [
                        (pk, title, desc[:INDEXED_CHARS], text[:INDEXED_CHARS])
                        for pk, title, desc, text in rows
                    ],
                )
                last = rows[-1][0]
    return Resource.objects.filter(deleted_at__isnull=True).count()
