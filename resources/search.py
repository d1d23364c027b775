"""Finding resources by words: the filter the repertoire pages and the API use, and the
site-wide search provider.

The match runs in the same query as the visibility filter, over the index kept in step by
the services (resources/search_index.py): PostgreSQL's generated ``search_vector`` (title A,
description B, tags/note/file text C) ranked with ``ts_rank``; SQLite's FTS5 table ranked
with ``bm25`` weighted the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db.models import FloatField, QuerySet, Value
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from core.fulltext import (
    CONFIG,
    StoredVector,
    fts_match,
    fts_rank,
    fts_rowids,
    pg_query,
    uses_fts5,
)
from core.search import START, STOP, Hit, Query, Result, marked, register_provider
from resources import permissions
from resources.models import Resource
from resources.search_index import RESOURCE_FTS

RESOURCE = "resources.resource"
SNIPPET_WORDS = 32

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


# --- the site-wide search provider ----------------------------------------------------------


def matching_resources(user: Any, query: Query) -> QuerySet[Resource]:
    """The resources ``user`` may read (exactly ``resources_visible_to``) that match,
    best first, narrowed by the search page's cohort and author filters."""
    rows = permissions.resources_visible_to(user)
    if query.cohort:
        rows = rows.filter(cohort__slug=query.cohort)
    if query.author:
        rows = rows.filter(contributor__handle__iexact=query.author)
    return matching(rows, query.text).order_by("-rank", "-featured", "-pk")


def _fts_excerpts(ids: list[int], text: str) -> dict[int, tuple[str, str, str]]:
    """(highlighted title, description excerpt, body excerpt) of each resource, from the
    FTS5 table: only the rows of the page shown."""
    from django.db import connection

    match = fts_match(text)
    if not match or not ids:
        return {}
    marks = ", ".join(["%s"] * len(ids))
    table = RESOURCE_FTS
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT rowid, highlight({table}, 0, %s, %s), "  # noqa: S608 - constant names
            f"snippet({table}, 1, %s, %s, '…', {SNIPPET_WORDS}), "
            f"snippet({table}, 2, %s, %s, '…', {SNIPPET_WORDS}) "
            f"FROM {table} WHERE {table} MATCH %s AND rowid IN ({marks})",
            [START, STOP, START, STOP, START, STOP, match, *ids],
        )
        return {pk: (title, desc, body) for pk, title, desc, body in cursor.fetchall()}


def _pg_excerpts(rows: QuerySet[Resource], text: str) -> QuerySet[Resource]:
    """The same three excerpts as PostgreSQL headlines, annotated on ``rows``."""
    from django.contrib.postgres.search import SearchHeadline
    from django.db.models import F

    pg = pg_query(text)
    body_options: dict[str, Any] = {
        "max_words": 40,
        "min_words": 15,
        "max_fragments": 2,
        "fragment_delimiter": " … ",
    }
    return rows.annotate(
        title_marked=SearchHeadline(
            F("title"), pg, config=CONFIG, start_sel=START, stop_sel=STOP, highlight_all=True
        ),
        description_marked=SearchHeadline(
            F("description"), pg, config=CONFIG, start_sel=START, stop_sel=STOP, **body_options
        ),
        body_marked=SearchHeadline(
            F("search_text"), pg, config=CONFIG, start_sel=START, stop_sel=STOP, **body_options
        ),
    )


def _plain(text: str) -> SafeString:
    return mark_safe(escape(text))  # noqa: S308 - escaped just now


def _snippet(description: str, body: str, fallback: str) -> SafeString:
    """The excerpt where more of the words were found: the description's, or the rest's
    (tags, note text, the file's text); without a match in either, the description's start."""
    best = max((description or "", body or ""), key=lambda found: found.count(START))
    if START in best:
        return marked(best)
    return _plain(" ".join(fallback.split())[:240])


class ResourcesSearch:
    """Resources in the site-wide search: only what the person may read, ranked by the
    database (weighted bm25 on SQLite, ts_rank on PostgreSQL), excerpts for the page shown."""

    kinds: Mapping[str, str] = {RESOURCE: "Resources"}

    def find(self, user: Any, query: Query, *, limit: int) -> tuple[int, list[Hit]]:
        if query.kind not in ("", RESOURCE):
            return 0, []
        rows = matching_resources(user, query)
        total = rows.count()
        if not total:
            return 0, []
        ranked = rows.values_list("pk", "rank")[:limit]  # type: ignore[misc]
        return total, [Hit(RESOURCE, pk, float(rank or 0)) for pk, rank in ranked]

    def results(self, user: Any, query: Query, hits: Sequence[Hit]) -> dict[Hit, Result]:
        wanted = {hit.key: hit for hit in hits if hit.kind == RESOURCE}
        if not wanted:
            return {}
        # Asked again with the person's permissions: nothing is shown that has gone since.
        rows = permissions.resources_visible_to(user).filter(pk__in=wanted)
        rows = rows.select_related("cohort", "contributor")
        fts = uses_fts5()
        excerpts = _fts_excerpts(list(wanted), query.text) if fts else {}
        if not fts and query.text:
            rows = _pg_excerpts(rows, query.text)
        out: dict[Hit, Result] = {}
        for resource in rows:
            hit = wanted[resource.pk]
            if fts:
                title, description, body = excerpts.get(resource.pk, ("", "", ""))
            else:
                title = getattr(resource, "title_marked", "")
                description = getattr(resource, "description_marked", "")
                body = getattr(resource, "body_marked", "")
            contributor = resource.contributor
            out[hit] = Result(
                kind=RESOURCE,
                title=marked(title) if title else _plain(resource.title),
                url=resource.get_absolute_url(),
                snippet=_snippet(description, body, resource.description),
                rank=hit.rank,
                date=resource.created_at,
                cohort=resource.cohort.title,
                author=contributor.display_name if contributor else "A former member",
            )
        return out


def register() -> None:
    register_provider("resources", ResourcesSearch())


def rebuild_index() -> str:
    """``manage.py rebuild_search_index``'s part for resources (registered in core.search)."""
    from django.db import transaction

    from resources import search_index

    with transaction.atomic():
        count = search_index.rebuild()
    how = "rebuilt" if uses_fts5() else "kept by the database (nothing to do)"
    return f"Resources search index {how}: {count} resources."
