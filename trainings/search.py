"""Finding trainings by words: the site-wide search provider, and the matching the
catalog's ``q`` filter uses.

The candidates are exactly the trainings a person may open
(``permissions.trainings_visible_to``: approved and unexpired for the public, expiry
compared with today in the query; a provider's own in any state; what reviewers and staff
oversee), filtered in the same query as the match over the index kept in step by the
services (trainings/search_index.py): PostgreSQL's generated ``search_vector`` (title A,
description and learning goals B, curriculum, organisation and competencies C) ranked
with ``ts_rank``; SQLite's FTS5 table ranked with ``bm25`` weighted the same way, as the
other apps' providers rank, so the search page merges them meaningfully. Queries read like
a web search engine's (words, "phrases", ``or``, ``-word``); nothing typed is FTS5 syntax.

Excerpts (``ts_headline`` / FTS5 ``snippet()``) only for the results on the page shown,
escaped before ``<mark>`` is added (core.search.marked).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db.models import F, FloatField, Func, QuerySet, TextField, Value
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
from core.search import START, STOP, Hit, Query, Result, marked
from trainings import permissions
from trainings.models import Training
from trainings.search_index import TRAINING_FTS

KIND = "trainings.training"
SNIPPET_WORDS = 32
# bm25 column weights for title, description, goals, curriculum, extra: like PostgreSQL's
# A/B/B/C/C (and the resources' 10/4/1).
FTS_WEIGHTS = ", 10.0, 4.0, 4.0, 1.0, 1.0"


def _nothing(trainings: QuerySet[Training]) -> QuerySet[Training]:
    return trainings.annotate(rank=Value(0.0, output_field=FloatField())).none()


def only_matching(trainings: QuerySet[Training], text: str) -> QuerySet[Training]:
    """``trainings`` that match ``text``, nothing added to what is selected (so it composes
    with counts and subqueries: the catalog's filter)."""
    if uses_fts5():
        match = fts_match(text)
        if not match:
            return trainings.none()
        return trainings.filter(pk__in=fts_rowids(TRAINING_FTS, match))
    if not text.strip():
        return trainings.none()
    return trainings.alias(vector=StoredVector()).filter(vector=pg_query(text))


def matching(trainings: QuerySet[Training], text: str) -> QuerySet[Training]:
    """``trainings`` that match ``text``, each with ``rank`` (higher is better)."""
    if uses_fts5():
        match = fts_match(text)
        if not match:
            return _nothing(trainings)
        return only_matching(trainings, text).annotate(
            rank=fts_rank(TRAINING_FTS, Training._meta.db_table, match, FTS_WEIGHTS)
        )
    from django.contrib.postgres.search import SearchRank

    if not text.strip():
        return _nothing(trainings)
    return only_matching(trainings, text).annotate(rank=SearchRank(StoredVector(), pg_query(text)))


def matching_trainings(user: Any, query: Query) -> QuerySet[Training]:
    """The trainings ``user`` may open that match, best first."""
    rows = permissions.trainings_visible_to(user)
    return matching(rows, query.text).order_by("-rank", "title", "pk")


# --- excerpts for the page shown ------------------------------------------------------------


class _GoalsText(Func):
    """PostgreSQL: the learning goals (a jsonb list) as lines of text, for a headline."""

    template = (
        "array_to_string(ARRAY(SELECT jsonb_array_elements_text(CASE WHEN "
        "jsonb_typeof(%(expressions)s) = 'array' THEN %(expressions)s ELSE '[]'::jsonb END)), "
        "E'\\n')"
    )
    output_field = TextField()


def _fts_excerpts(ids: list[int], text: str) -> dict[int, tuple[str, ...]]:
    """(highlighted title, then an excerpt of the description, goals, curriculum and the
    rest) of each training, from the FTS5 table: only the rows of the page shown."""
    from django.db import connection

    match = fts_match(text)
    if not match or not ids:
        return {}
    marks = ", ".join(["%s"] * len(ids))
    table = TRAINING_FTS
    snippets = ", ".join(
        f"snippet({table}, {column}, %s, %s, '…', {SNIPPET_WORDS})" for column in range(1, 5)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT rowid, highlight({table}, 0, %s, %s), {snippets} "  # noqa: S608
            f"FROM {table} WHERE {table} MATCH %s AND rowid IN ({marks})",
            [START, STOP, *([START, STOP] * 4), match, *ids],
        )
        return {row[0]: tuple(row[1:]) for row in cursor.fetchall()}


def _pg_excerpts(rows: QuerySet[Training], text: str) -> QuerySet[Training]:
    """The same excerpts as PostgreSQL headlines, annotated on ``rows``."""
    from django.contrib.postgres.search import SearchHeadline

    pg = pg_query(text)
    options: dict[str, Any] = {
        "config": CONFIG,
        "start_sel": START,
        "stop_sel": STOP,
    }
    body: dict[str, Any] = {
        **options,
        "max_words": 40,
        "min_words": 15,
        "max_fragments": 2,
        "fragment_delimiter": " … ",
    }
    return rows.annotate(
        title_marked=SearchHeadline(F("title"), pg, highlight_all=True, **options),
        description_marked=SearchHeadline(F("description"), pg, **body),
        goals_marked=SearchHeadline(_GoalsText(F("learning_goals")), pg, **body),
        curriculum_marked=SearchHeadline(F("curriculum"), pg, **body),
        extra_marked=SearchHeadline(F("search_text"), pg, **body),
    )


def _plain(text: str) -> SafeString:
    return mark_safe(escape(text))  # noqa: S308 - escaped just now


def _snippet(excerpts: Sequence[str], fallback: str) -> SafeString:
    """The excerpt where most of the words were found (the description's first on a tie);
    without a match in any, the description's start."""
    best = max((found or "" for found in excerpts), key=lambda found: found.count(START))
    if START in best:
        return marked(best)
    return _plain(" ".join(fallback.split())[:240])


class TrainingsSearch:
    """Trainings in the site-wide search: only what the person may open, ranked by the
    database, excerpts for the page shown."""

    kinds: Mapping[str, str] = {KIND: "Trainings"}

    def find(self, user: Any, query: Query, *, limit: int) -> tuple[int, list[Hit]]:
        # Trainings live in no cohort and have no author: those filters leave them out.
        if query.kind not in ("", KIND) or query.cohort or query.author:
            return 0, []
        rows = matching_trainings(user, query)
        total = rows.count()
        if not total:
            return 0, []
        ranked = rows.values_list("pk", "rank")[:limit]  # type: ignore[misc]
        return total, [Hit(KIND, pk, float(rank or 0)) for pk, rank in ranked]

    def results(self, user: Any, query: Query, hits: Sequence[Hit]) -> dict[Hit, Result]:
        wanted = {hit.key: hit for hit in hits if hit.kind == KIND}
        if not wanted:
            return {}
        # Asked again with the person's permissions: nothing is shown that has gone since
        # (an approval that ran out at midnight, say).
        rows = permissions.trainings_visible_to(user).filter(pk__in=wanted)
        rows = rows.select_related("provider")
        fts = uses_fts5()
        excerpts = _fts_excerpts(list(wanted), query.text) if fts else {}
        if not fts and query.text:
            rows = _pg_excerpts(rows, query.text)
        out: dict[Hit, Result] = {}
        for training in rows:
            hit = wanted[training.pk]
            if fts:
                title, *rest = excerpts.get(training.pk, ("",) * 5)
            else:
                title = getattr(training, "title_marked", "")
                rest = [
                    getattr(training, f"{name}_marked", "")
                    for name in ("description", "goals", "curriculum", "extra")
                ]
            out[hit] = Result(
                kind=KIND,
                title=marked(title) if title else _plain(training.title),
                url=training.get_absolute_url(),
                snippet=_snippet(rest, training.description),
                rank=hit.rank,
                date=None,
                cohort=training.provider.name,
            )
        return out


def rebuild_index() -> str:
    """``manage.py rebuild_search_index``'s part for trainings (registered in core.search)."""
    from django.db import transaction

    from trainings import search_index

    with transaction.atomic():
        count = search_index.rebuild()
    how = "rebuilt" if uses_fts5() else "text refreshed (the database keeps the vectors)"
    return f"Trainings search index {how}: {count} trainings."
