"""Finding journal entries by words: the site-wide search provider, and the matching the
journal home's search box uses.

The candidates are exactly the entries a person may read (``permissions.
entries_visible_to``: their own, and what was shared with them as a member or a
facilitator of its cohort), filtered in the same query as the match, over the index kept in
step by the services (journals/search_index.py): PostgreSQL's generated ``search_vector``
(title A, the rest B) ranked with ``ts_rank``; SQLite's FTS5 table ranked with ``bm25``
weighted the same way. So a private entry's words are only ever searched for its author,
and a deleted entry drops out at once. Excerpts only for the results on the page shown,
escaped before ``<mark>`` is added (core.search.marked).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, time
from typing import Any

from django.db.models import F, FloatField, QuerySet, Value
from django.utils import timezone
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
from journals import permissions
from journals.models import Entry
from journals.search_index import ENTRY_FTS

KIND = "journals.entry"
SNIPPET_WORDS = 32
# bm25 column weights for title and body: like PostgreSQL's A/B (and the other apps').
FTS_WEIGHTS = ", 10.0, 4.0"


def _nothing(entries: QuerySet[Entry]) -> QuerySet[Entry]:
    return entries.annotate(rank=Value(0.0, output_field=FloatField())).none()


def only_matching(entries: QuerySet[Entry], text: str) -> QuerySet[Entry]:
    """``entries`` that match ``text``, nothing added to what is selected (so it composes
    with the journal home's filters and counts)."""
    if uses_fts5():
        match = fts_match(text)
        if not match:
            return entries.none()
        return entries.filter(pk__in=fts_rowids(ENTRY_FTS, match))
    if not text.strip():
        return entries.none()
    return entries.alias(vector=StoredVector()).filter(vector=pg_query(text))


def matching(entries: QuerySet[Entry], text: str) -> QuerySet[Entry]:
    """``entries`` that match ``text``, each with ``rank`` (higher is better)."""
    if uses_fts5():
        match = fts_match(text)
        if not match:
            return _nothing(entries)
        return only_matching(entries, text).annotate(
            rank=fts_rank(ENTRY_FTS, Entry._meta.db_table, match, FTS_WEIGHTS)
        )
    from django.contrib.postgres.search import SearchRank

    if not text.strip():
        return _nothing(entries)
    return only_matching(entries, text).annotate(rank=SearchRank(StoredVector(), pg_query(text)))


def matching_entries(user: Any, query: Query) -> QuerySet[Entry]:
    """The entries ``user`` may read (exactly ``entries_visible_to``) that match, best
    first, narrowed by the search page's cohort and author filters."""
    rows = permissions.entries_visible_to(user)
    if query.cohort:
        rows = rows.filter(cohort__slug=query.cohort)
    if query.author:
        rows = rows.filter(author__handle__iexact=query.author)
    return matching(rows, query.text).order_by("-rank", "-written_on", "-pk")


# --- excerpts for the page shown ------------------------------------------------------------


def _fts_excerpts(ids: list[int], text: str) -> dict[int, tuple[str, str]]:
    """(highlighted title, body excerpt) of each entry, from the FTS5 table: only the rows
    of the page shown."""
    from django.db import connection

    match = fts_match(text)
    if not match or not ids:
        return {}
    marks = ", ".join(["%s"] * len(ids))
    table = ENTRY_FTS
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT rowid, highlight({table}, 0, %s, %s), "  # noqa: S608 - constant names
            f"snippet({table}, 1, %s, %s, '…', {SNIPPET_WORDS}) "
            f"FROM {table} WHERE {table} MATCH %s AND rowid IN ({marks})",
            [START, STOP, START, STOP, match, *ids],
        )
        return {pk: (title, body) for pk, title, body in cursor.fetchall()}


def _pg_excerpts(rows: QuerySet[Entry], text: str) -> QuerySet[Entry]:
    from django.contrib.postgres.search import SearchHeadline

    pg = pg_query(text)
    options: dict[str, Any] = {"config": CONFIG, "start_sel": START, "stop_sel": STOP}
    return rows.annotate(
        title_marked=SearchHeadline(F("title"), pg, highlight_all=True, **options),
        body_marked=SearchHeadline(
            F("search_text"),
            pg,
            max_words=40,
            min_words=15,
            max_fragments=2,
            fragment_delimiter=" … ",
            **options,
        ),
    )


def _plain(text: str) -> SafeString:
    return mark_safe(escape(text))  # noqa: S308 - escaped just now


def _snippet(body: str, fallback: str) -> SafeString:
    if START in (body or ""):
        return marked(body)
    return _plain(" ".join(fallback.split())[:240])


def _day(entry: Entry) -> datetime:
    """The day the entry was written, as a moment the search page can show."""
    return timezone.make_aware(datetime.combine(entry.written_on, time(12)))


class JournalsSearch:
    """Journal entries in the site-wide search: only what the person may read (their own,
    private ones included, and what was shared with them), ranked by the database."""

    kinds: Mapping[str, str] = {KIND: "Journal entries"}

    def find(self, user: Any, query: Query, *, limit: int) -> tuple[int, list[Hit]]:
        if query.kind not in ("", KIND):
            return 0, []
        rows = matching_entries(user, query)
        total = rows.count()
        if not total:
            return 0, []
        ranked = rows.values_list("pk", "rank")[:limit]  # type: ignore[misc]
        return total, [Hit(KIND, pk, float(rank or 0)) for pk, rank in ranked]

    def results(self, user: Any, query: Query, hits: Sequence[Hit]) -> dict[Hit, Result]:
        wanted = {hit.key: hit for hit in hits if hit.kind == KIND}
        if not wanted:
            return {}
        # Asked again with the person's permissions: an entry narrowed or deleted since
        # the hits were counted is not shown.
        rows = (
            permissions.entries_visible_to(user)
            .filter(pk__in=wanted)
            .select_related("author", "cohort")
            .defer("body", "body_html")
        )
        fts = uses_fts5()
        excerpts = _fts_excerpts(list(wanted), query.text) if fts else {}
        if not fts and query.text:
            rows = _pg_excerpts(rows, query.text)
        out: dict[Hit, Result] = {}
        for entry in rows:
            hit = wanted[entry.pk]
            if fts:
                title, body = excerpts.get(entry.pk, ("", ""))
            else:
                title = getattr(entry, "title_marked", "")
                body = getattr(entry, "body_marked", "")
            rest = entry.search_text
            if rest.startswith(entry.title):
                rest = rest[len(entry.title) :]
            mine = entry.author_id == user.pk
            where = entry.cohort.title if entry.is_shared and entry.cohort else ""
            out[hit] = Result(
                kind=KIND,
                title=marked(title) if title else _plain(entry.title),
                url=entry.get_absolute_url(),
                snippet=_snippet(body, rest),
                rank=hit.rank,
                date=_day(entry),
                cohort=where or ("Private" if mine else ""),
                author="You" if mine else entry.author.display_name,
            )
        return out


def register() -> None:
    register_provider("journals", JournalsSearch())


def rebuild_index() -> str:
    """``manage.py rebuild_search_index``'s part for the journals (core.search)."""
    from django.db import transaction

    from journals import search_index

    with transaction.atomic():
        count = search_index.rebuild()
    how = "rebuilt" if uses_fts5() else "kept by the database (nothing to do)"
    return f"Journal search index {how}: {count} entries."
