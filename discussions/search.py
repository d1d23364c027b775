"""Search across the threads and posts a person may read.

On PostgreSQL: full-text search (``websearch_to_tsquery``: quoted phrases, ``or``,
``-word``), ranked with ``ts_rank`` and highlighted with ``ts_headline``. On SQLite: every
word must appear (case-insensitive ``LIKE``), newest first, highlighted here. Either way the
candidates are only visible posts (not deleted, not hidden) in threads of cohorts whose
content the person may open (``permissions.threads_visible_to``), and every snippet is
HTML-escaped before ``<mark>`` is added, so post text can never inject markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from discussions import permissions
from discussions.models import Post, Thread

MAX_QUERY = 200
PER_PAGE = 20
MAX_THREADS = 10
SNIPPET_CHARS = 240
CONFIG = "english"
# ts_headline wraps matches in these; they are swapped for <mark> after escaping.
START, STOP = "@@cp-mark@@", "@@cp-end@@"


@dataclass
class PostHit:
    post: Post
    snippet: SafeString
    url: str


@dataclass
class ThreadHit:
    thread: Thread
    title: SafeString
    url: str


def uses_full_text() -> bool:
    return connection.vendor == "postgresql"


def visible_posts(user: Any) -> QuerySet[Post]:
    return Post.objects.filter(
        thread__in=permissions.threads_visible_to(user).values("pk"),
        deleted_at__isnull=True,
        hidden_at__isnull=True,
    )


def terms_of(q: str) -> tuple[list[str], list[str]]:
    """Words and "quoted phrases" to find, and -words to leave out (the fallback's reading
    of the web-search syntax PostgreSQL understands natively)."""
    wanted: list[str] = []
    unwanted: list[str] = []
    for phrase, word in re.findall(r'"([^"]+)"|(\S+)', q):
        term = (phrase or word).strip()
        if not term or term.lower() == "or":
            continue
        if word.startswith("-") and len(word) > 1:
            unwanted.append(word[1:])
        else:
            wanted.append(term)
    return wanted, unwanted


def highlight(text: str, terms: list[str], *, limit: int = SNIPPET_CHARS) -> SafeString:
    """An escaped excerpt of ``text`` around the first match, matches in ``<mark>``."""
    terms = [t for t in terms if t]
    if not terms:
        return mark_safe(escape(text[:limit]))  # noqa: S308 - escaped just now
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.I)
    first = pattern.search(text)
    start = 0 if first is None else max(0, first.start() - limit // 3)
    if start:
        # Start on a word boundary.
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 20 else start
    excerpt = text[start : start + limit]
    out: list[str] = ["…" if start else ""]
    last = 0
    for match in pattern.finditer(excerpt):
        out.append(escape(excerpt[last : match.start()]))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    out.append(escape(excerpt[last:]))
    if start + limit < len(text):
        out.append("…")
    return mark_safe("".join(out))  # noqa: S308 - every piece of text was escaped


def _marked(headline: str) -> SafeString:
    """ts_headline's output, escaped, with its markers turned into <mark>."""
    safe = escape(headline).replace(START, "<mark>").replace(STOP, "</mark>")
    return mark_safe(safe)  # noqa: S308 - escaped before the tags were added


def search(user: Any, q: str) -> tuple[QuerySet[Post], list[ThreadHit], list[str]]:
    """(matching posts as a lazy queryset, best first; matching thread titles; the terms
    for highlighting). Snippets come from :func:`hits` for one page at a time."""
    q = q.strip()[:MAX_QUERY]
    wanted, unwanted = terms_of(q)
    posts = visible_posts(user).select_related("thread__cohort", "author")
    threads = permissions.threads_visible_to(user).select_related("cohort")
    if not wanted:
        return posts.none(), [], []
    if uses_full_text():
        from django.contrib.postgres.search import (
            SearchHeadline,
            SearchQuery,
            SearchRank,
            SearchVector,
        )

        query = SearchQuery(q, search_type="websearch", config=CONFIG)
        vector = SearchVector("body", config=CONFIG)
        posts = (
            posts.annotate(search=vector)
            .filter(search=query)
            .annotate(
                rank=SearchRank(vector, query),
                headline=SearchHeadline(
                    "body",
                    query,
                    config=CONFIG,
                    start_sel=START,
                    stop_sel=STOP,
                    max_words=40,
                    min_words=15,
                    max_fragments=2,
                    fragment_delimiter=" … ",
                ),
            )
            .order_by("-rank", "-pk")
        )
        title_vector = SearchVector("title", config=CONFIG)
        found = list(
            threads.annotate(search=title_vector)
            .filter(search=query)
            .annotate(
                rank=SearchRank(title_vector, query),
                headline=SearchHeadline(
                    "title",
                    query,
                    config=CONFIG,
                    start_sel=START,
                    stop_sel=STOP,
                    highlight_all=True,
                ),
            )
            .order_by("-rank", "-last_activity_at")[:MAX_THREADS]
        )
        thread_hits = [ThreadHit(t, _marked(t.headline), t.get_absolute_url()) for t in found]
        return posts, thread_hits, wanted
    body = Q()
    title = Q()
    for term in wanted:
        body &= Q(body__icontains=term)
        title &= Q(title__icontains=term)
    for term in unwanted:
        body &= ~Q(body__icontains=term)
        title &= ~Q(title__icontains=term)
    posts = posts.filter(body).order_by("-pk")
    found = list(threads.filter(title).order_by("-last_activity_at", "-pk")[:MAX_THREADS])
    thread_hits = [
        ThreadHit(t, highlight(t.title, wanted, limit=200), t.get_absolute_url()) for t in found
    ]
    return posts, thread_hits, wanted


def hits(posts: list[Post], terms: list[str]) -> list[PostHit]:
    result = []
    for post in posts:
        headline = getattr(post, "headline", None)
        snippet = _marked(headline) if headline is not None else highlight(post.body, terms)
        url = f"{post.thread.get_absolute_url()}#post-{post.pk}"
        result.append(PostHit(post, snippet, url))
    return result


@login_required
def search_view(request: HttpRequest) -> HttpResponse:
    """/search/?q=: the threads and posts the person may read that match, best first."""
    q = request.GET.get("q", "").strip()[:MAX_QUERY]
    context: dict[str, Any] = {"q": q, "full_text": uses_full_text()}
    if q:
        posts, thread_hits, terms = search(request.user, q)
        page = Paginator(posts, PER_PAGE).get_page(request.GET.get("page"))
        context.update(
            page=page,
            post_hits=hits(list(page.object_list), terms),
            thread_hits=thread_hits,
        )
    return render(request, "discussions/search.html", context)
