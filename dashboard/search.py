"""/search/: one search across every app, through the providers registered in
``core.search`` (each app registers its own in ``AppConfig.ready``)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode

from cohorts.selectors import cohorts_of
from core import search


def _page_number(raw: str | None) -> int:
    try:
        return int(raw or 1)
    except ValueError:
        return 1


@login_required
def search_view(request: HttpRequest) -> HttpResponse:
    """The threads, posts (and whatever later apps offer) the person may read that match
    ``q``, best first, 20 to a page."""
    offered = search.kinds()
    kind = request.GET.get("kind", "")
    query = search.Query(
        text=request.GET.get("q", ""),
        kind=kind if kind in offered else "",
        cohort=request.GET.get("cohort", "").strip()[:100],
        author=request.GET.get("author", "").strip().lstrip("@")[:64],
        page=_page_number(request.GET.get("page")),
    )
    page = search.search(request.user, query) if query.text else None
    keep = {"q": query.text, "kind": query.kind, "cohort": query.cohort, "author": query.author}
    context: dict[str, Any] = {
        "q": query.text,
        "query": query,
        "kinds": offered,
        "page": page,
        "rows": [(r, offered.get(r.kind, r.kind)) for r in page.results] if page else [],
        "page_query": urlencode({k: v for k, v in keep.items() if v}),
        "without_author": urlencode({k: v for k, v in keep.items() if v and k != "author"}),
        "cohorts": list(cohorts_of(request.user).values("slug", "title").order_by("title")),
    }
    return render(request, "dashboard/search.html", context)
