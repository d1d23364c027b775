"""Discussions' search provider: the threads and posts a person may read.

The candidates are exactly what the pages show: visible posts (neither deleted nor hidden)
in threads of cohorts whose content the person may open (``permissions.threads_visible_to``),
filtered in the same query as the match. Queries read like a web search engine's: words
(all must match), "quoted phrases", ``or`` between alternatives, ``-word`` to leave out.

PostgreSQL: the stored generated ``search_vector`` columns (GIN-indexed, migration 0004)
matched with ``websearch_to_tsquery('english', ...)``, ranked with ``ts_rank``; headlines
(``ts_headline``) only for the results on the page shown.

SQLite: the FTS5 tables of :mod:`discussions.search_index`, ranked with ``bm25()``,
highlighted with ``snippet()`` / ``highlight()`` for the page shown. The person's words are
translated into an FTS5 expression by :func:`fts_match` (every word a quoted string), so no
text typed is ever read as FTS5 syntax.

Either way every snippet is HTML-escaped before ``<mark>`` is added (core.search.marked).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db.models import F, FloatField, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from core.fulltext import CONFIG, StoredVector, fts_match, fts_rank, fts_rowids, pg_query
from core.markdown import plain_text
from core.search import START, STOP, Hit, Query, Result, marked, register_provider
from discussions import permissions
from discussions.models import Post, Thread
from discussions.search_index import PG_POST_TEXT, POST_FTS, THREAD_FTS, uses_fts5

POST, THREAD = "discussions.post", "discussions.thread"
SNIPPET_WORDS = 32


def _nothing(qs: QuerySet[Any]) -> QuerySet[Any]:
    return qs.annotate(rank=Value(0.0, output_field=FloatField())).none()


def visible_posts(user: Any) -> QuerySet[Post]:
    return Post.objects.filter(
        thread__in=permissions.threads_visible_to(user).values("pk"),
        deleted_at__isnull=True,
        hidden_at__isnull=True,
    )


def matching_posts(user: Any, query: Query) -> QuerySet[Post]:
    """The visible posts that match, best first, each with its ``rank``."""
    posts = visible_posts(user)
    if query.cohort:
        posts = posts.filter(thread__cohort__slug=query.cohort)
    if query.author:
        posts = posts.filter(author__handle__iexact=query.author)
    if uses_fts5():
        match = fts_match(query.text)
        if not match:
            return _nothing(posts)
        posts = posts.filter(pk__in=fts_rowids(POST_FTS, match)).annotate(
            rank=fts_rank(POST_FTS, Post._meta.db_table, match)
        )
    else:
        from django.contrib.postgres.search import SearchRank

        if not query.text:
            return _nothing(posts)
        pg = pg_query(query.text)
        posts = (
            posts.alias(vector=StoredVector())
            .filter(vector=pg)
            .annotate(rank=SearchRank(StoredVector(), pg))
        )
    return posts.order_by("-rank", "-pk")


def matching_threads(user: Any, query: Query) -> QuerySet[Thread]:
    """The threads the person may open whose title matches, best first."""
    threads = permissions.threads_visible_to(user)
    if query.cohort:
        threads = threads.filter(cohort__slug=query.cohort)
    if query.author:
        threads = threads.filter(created_by__handle__iexact=query.author)
    if uses_fts5():
        match = fts_match(query.text)
        if not match:
            return _nothing(threads)
        threads = threads.filter(pk__in=fts_rowids(THREAD_FTS, match)).annotate(
            rank=fts_rank(THREAD_FTS, Thread._meta.db_table, match)
        )
    else:
        from django.contrib.postgres.search import SearchRank

        if not query.text:
            return _nothing(threads)
        pg = pg_query(query.text)
        threads = (
            threads.alias(vector=StoredVector())
            .filter(vector=pg)
            .annotate(rank=SearchRank(StoredVector(), pg))
        )
    return threads.order_by("-rank", "-last_activity_at", "-pk")


def _snippets(table: str, ids: list[int], text: str) -> dict[int, str]:
    """FTS5 excerpts (posts) or whole highlighted text (titles) for ``ids`` only."""
    from django.db import connection

    match = fts_match(text)
    if table == POST_FTS:
        marker = f"snippet({table}, 0, %s, %s, '…', {SNIPPET_WORDS})"
    else:
        marker = f"highlight({table}, 0, %s, %s)"
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT rowid, {marker} FROM {table} "  # noqa: S608 - constant names
            f"WHERE {table} MATCH %s AND rowid IN ({marks})",
            [START, STOP, match, *ids],
        )
        return dict(cursor.fetchall())


def _pg_headlines(model: type[Post] | type[Thread], column: str, ids: list[int], text: str) -> Any:
    from django.contrib.postgres.search import SearchHeadline
    from django.db.models import TextField

    options: dict[str, Any] = (
        {"max_words": 40, "min_words": 15, "max_fragments": 2, "fragment_delimiter": " … "}
        if column == "body"
        else {"highlight_all": True}
    )
    # A post is excerpted from its plain text, as it is indexed (never its Markdown).
    source: Any = F(column)
    if column == "body":
        source = RawSQL(PG_POST_TEXT, [], output_field=TextField())  # noqa: S611 - a constant
    headline = SearchHeadline(
        source, pg_query(text), config=CONFIG, start_sel=START, stop_sel=STOP, **options
    )
    rows = (
        model._default_manager.filter(pk__in=ids)
        .annotate(headline=headline, whole=source)
        .values_list("pk", "headline", "whole")
    )
    return {pk: _ellipsed(found, whole) for pk, found, whole in rows}


def _ellipsed(headline: str, whole: str) -> str:
    """An excerpt says where text was left out, as FTS5's snippet() does: words of the
    text before the first match (after the last) that the headline does not show."""
    shown, words = headline.split(), whole.split()
    marks = [i for i, w in enumerate(shown) if START in w or STOP in w]
    if not marks or len(shown) >= len(words):
        return headline
    first = shown[marks[0]].replace(START, "").replace(STOP, "")
    last = shown[marks[-1]].replace(START, "").replace(STOP, "")
    before = next((i for i, w in enumerate(words) if w == first), 0)
    after = next((i for i, w in enumerate(reversed(words)) if w == last), 0)
    start = "…" if before > marks[0] else ""
    end = "…" if after > len(shown) - 1 - marks[-1] else ""
    return f"{start}{headline}{end}"


def post_snippets(ids: list[int], text: str) -> dict[int, SafeString]:
    """Escaped, highlighted excerpts of these posts' text (only the page shown)."""
    if not ids:
        return {}
    raw = _snippets(POST_FTS, ids, text) if uses_fts5() else None
    if raw is None:
        raw = _pg_headlines(Post, "body", ids, text)
    return {pk: marked(value) for pk, value in raw.items()}


def thread_titles(ids: list[int], text: str) -> dict[int, SafeString]:
    if not ids:
        return {}
    raw = _snippets(THREAD_FTS, ids, text) if uses_fts5() else None
    if raw is None:
        raw = _pg_headlines(Thread, "title", ids, text)
    return {pk: marked(value) for pk, value in raw.items()}


def _plain(text: str) -> SafeString:
    return mark_safe(escape(text))  # noqa: S308 - escaped just now


class DiscussionsSearch:
    kinds: Mapping[str, str] = {THREAD: "Threads", POST: "Posts"}

    def find(self, user: Any, query: Query, *, limit: int) -> tuple[int, list[Hit]]:
        total = 0
        hits: list[Hit] = []
        if query.kind in ("", THREAD):
            threads = matching_threads(user, query)
            total += threads.count()
            found = threads.values_list("pk", "rank")[:limit]  # type: ignore[misc]
            hits += [Hit(THREAD, pk, float(rank or 0)) for pk, rank in found]
        if query.kind in ("", POST):
            posts = matching_posts(user, query)
            total += posts.count()
            ranked = posts.values_list("pk", "rank")[:limit]  # type: ignore[misc]
            hits += [Hit(POST, pk, float(rank or 0)) for pk, rank in ranked]
        return total, hits

    def results(self, user: Any, query: Query, hits: Sequence[Hit]) -> dict[Hit, Result]:
        out: dict[Hit, Result] = {}
        thread_hits = {hit.key: hit for hit in hits if hit.kind == THREAD}
        post_hits = {hit.key: hit for hit in hits if hit.kind == POST}
        if thread_hits:
            # Asked again with the person's permissions: nothing is shown that has gone since.
            threads = permissions.threads_visible_to(user).filter(pk__in=thread_hits)
            titles = thread_titles(list(thread_hits), query.text)
            for thread in threads.select_related("cohort", "created_by"):
                hit = thread_hits[thread.pk]
                out[hit] = Result(
                    kind=THREAD,
                    title=titles.get(thread.pk) or _plain(thread.title),
                    url=thread.get_absolute_url(),
                    snippet=mark_safe(""),
                    rank=hit.rank,
                    date=thread.last_activity_at,
                    cohort=thread.cohort.title,
                    author=thread.created_by.display_name if thread.created_by else "",
                )
        if post_hits:
            posts = visible_posts(user).filter(pk__in=post_hits)
            snippets = post_snippets(list(post_hits), query.text)
            for post in posts.select_related("thread__cohort", "author"):
                hit = post_hits[post.pk]
                out[hit] = Result(
                    kind=POST,
                    title=_plain(post.thread.title),
                    url=f"{post.thread.get_absolute_url()}#post-{post.pk}",
                    snippet=snippets.get(post.pk) or _plain(plain_text(post.body_html)[:240]),
                    rank=hit.rank,
                    date=post.created_at,
                    cohort=post.thread.cohort.title,
                    author=post.author_name,
                )
        return out


def register() -> None:
    register_provider("discussions", DiscussionsSearch())
