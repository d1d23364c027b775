"""Finding resources by words: the filter the repertoire pages and the API use, and the
site-wide search provider.

The match runs in the same query as the visibility filter, over the index kept in step by
the services (resources/search_index.py): PostgreSQL's generated ``search_vector`` (title A,
description B, tags/note/file text C) ranked with ``ts_rank``; SQLite's FTS5 table ranked
with ``bm25`` weighted the same way.
"""

from __future__ import annotations

from django.db.models import FloatField, QuerySet, Value

from core.fulltext import StoredVector, fts_match, fts_rank, fts_rowids, pg_query, uses_fts5
from resources.models import Resource
from resources.search_index import RESOURCE_FTS

# bm25 column weights for title, description, body (the rest): like PostgreSQL's A/B/C.
FTS_WEIGHTS = ", 10.0, 4.0, 1.0"


def matching(resources: QuerySet[Resource], text: str) -> QuerySet[Resource]:
    """``resources`` that match ``text``, each with ``rank`` (higher is better)."""
    if uses_fts5():
        match = fts_match(text)
        if not match:
            return resources.annotate(rank=Value(0.0, output_field=FloatField())).none()
        return resources.filter(pk__in=fts_rowids(RESOURCE_FTS, match)).annotate(
            rank=fts_rank(RESOURCE_FTS, Resource._meta.db_table, match, FTS_WEIGHTS)
        )
    from django.contrib.postgres.search import SearchRank

    if not text.strip():
        return resources.annotate(rank=Value(0.0, output_field=FloatField())).none()
    query = pg_query(text)
    return (
        resources.alias(vector=StoredVector())
        .filter(vector=query)
        .annotate(rank=SearchRank(StoredVector(), query))
    )
