"""The repertoire's list pages: a cohort's repertoire, the library of everything a person
may see, sharing a new resource, and recently deleted ones. Every list runs a fixed number
of queries whatever the number of resources (filters and counts are grouped queries; the
cards' competencies and tags are prefetched)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from cohorts.models import Cohort
from cohorts.permissions import access_cohort, can_facilitate, can_take_part
from core.errors import ServiceError, status_for
from resources import permissions, selectors, services
from resources.forms import ResourceForm, field_for_error
from resources.models import Resource

PER_PAGE = 25
DELETED_PER_PAGE = 50


def _sort_options(filters: selectors.Filters) -> list[dict[str, Any]]:
    current = filters.effective_sort()
    names = (
        ["relevance", "useful", "recent", "title"] if filters.q else ["useful", "recent", "title"]
    )
    return [
        {"value": name, "label": selectors.SORT_LABELS[name], "selected": name == current}
        for name in names
    ]


def _without(request: HttpRequest, list_url: str, *names: str) -> str:
    """This list's address with ``names`` (and the page) taken out of the query."""
    query = request.GET.copy()
    for name in (*names, "page"):
        query.pop(name, None)
    encoded = query.urlencode()
    return f"{list_url}?{encoded}" if encoded else list_url


def _chips(
    request: HttpRequest,
    list_url: str,
    filters: selectors.Filters,
    facets: list[selectors.Facet],
) -> list[dict[str, str]]:
    """The filters in force, each with the label people recognise and a link without it."""
    labels = {(facet.name, value.value): value.label for facet in facets for value in facet.values}
    names = {facet.name: facet.label for facet in facets}
    chips = []
    if filters.q:
        chips.append(
            {"label": "Search", "value": filters.q, "url": _without(request, list_url, "q")}
        )
    for name in ("area", "competency", "kind", "tag", "contributor", "cohort"):
        raw = getattr(filters, name)
        if not raw:
            continue
        value = str(raw)
        chips.append(
            {
                "label": names.get(name, name.title()),
                "value": labels.get((name, value), value),
                "url": _without(request, list_url, name),
            }
        )
    return chips


def _facets_with_selection(
    filters: selectors.Filters, facets: list[selectors.Facet]
) -> list[selectors.Facet]:
    """A chosen value that gives nothing with the other filters still shows as chosen."""
    for facet in facets:
        raw = getattr(filters, facet.name, "")
        if raw and not any(v.selected for v in facet.values):
            facet.values.insert(0, selectors.FacetValue(str(raw), str(raw), 0, True))
    return facets


def _page(
    request: HttpRequest, rows: Any, per_page: int = PER_PAGE, *, count: int | None = None
) -> Page:
    paginator = Paginator(rows, per_page)
    if count is not None:  # already counted with the facets: no second COUNT
        paginator.count = count  # type: ignore[misc]
    page = paginator.get_page(request.GET.get("page"))
    # Links to the first, the last and two either side of this one (None: a gap).
    last = page.paginator.num_pages
    window: list[int | None] = []
    for n in sorted({1, last, *range(max(1, page.number - 2), min(last, page.number + 2) + 1)}):
        if window and window[-1] is not None and n - window[-1] > 1:
            window.append(None)
        window.append(n)
    page.window = window  # type: ignore[attr-defined]
    return page


def _listing(request: HttpRequest, *, cohort: Cohort | None, list_url: str) -> dict[str, Any]:
    filters = selectors.Filters.from_query(request.GET)
    found, total = selectors.facet_summary(request.user, filters, cohort=cohort)
    facets = _facets_with_selection(filters, found)
    page = _page(
        request, selectors.resources_list(request.user, filters, cohort=cohort), count=total
    )
    return {
        "filters": filters,
        "facets": facets,
        "chips": _chips(request, list_url, filters, facets),
        "sort_options": _sort_options(filters),
        "page_obj": page,
        "resources": list(page.object_list),
        "list_url": list_url,
    }


@require_GET
def repertoire(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = access_cohort(request.user, slug=slug, need="content")
    context = _listing(
        request, cohort=cohort, list_url=reverse("resources:repertoire", args=[cohort.slug])
    )
    page = context["page_obj"]
    context.update(
        {
            "cohort": cohort,
            "can_add": permissions.can_add_resource(request.user, cohort),
            "can_restore_any": permissions.restorable_for(request.user, cohort).exists(),
            # New resources arrive at the top of the unfiltered first page, newest first.
            "live": page.number == 1
            and not context["filters"].active
            and context["filters"].effective_sort() == "recent",
        }
    )
    return render(request, "resources/repertoire.html", context)


@login_required
@require_GET
def library(request: HttpRequest) -> HttpResponse:
    context = _listing(request, cohort=None, list_url=reverse("resources:library"))
    return render(request, "resources/library.html", context)


@login_required
@require_GET
def tag_suggestions(request: HttpRequest) -> JsonResponse:
    prefix = " ".join(str(request.GET.get("q", "")).split())[:40]
    return JsonResponse({"tags": selectors.tag_names(request.user, prefix=prefix, limit=20)})


def create(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = access_cohort(request.user, slug=slug, need="content")
    if not permissions.can_add_resource(request.user, cohort):
        raise Http404("No such page.")
    status = 200
    file_dropped = False
    if request.method == "POST":
        form = ResourceForm(request.POST, request.FILES, cohort=cohort)
        file_dropped = bool(request.FILES.get("file"))
        if form.is_valid():
            kind = form.cleaned_data["kind"]
            try:
                resource = services.resource_create(
                    cohort=cohort,
                    by=request.user,  # type: ignore[arg-type]
                    kind=kind,
                    data=form.to_input(),
                    upload=form.cleaned_data.get("file") if kind == Resource.Kind.FILE else None,
                )
            except ServiceError as error:
                form.add_error(field_for_error(error), error.message)
                status = status_for(error.code)
            else:
                messages.success(request, f"“{resource.title}” is shared with the cohort.")
                return redirect(resource.get_absolute_url())
        else:
            status = 400
    else:
        form = ResourceForm(cohort=cohort)
    return render(
        request,
        "resources/form.html",
        {
            "cohort": cohort,
            "form": form,
            "tag_options": selectors.tag_names(request.user, limit=200),
            "file_dropped": file_dropped,
        },
        status=status,
    )


@require_GET
def deleted(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = access_cohort(request.user, slug=slug, need="content")
    if not (can_take_part(request.user, cohort) or can_facilitate(request.user, cohort)):
        raise Http404("No such page.")
    rows = (
        permissions.restorable_for(request.user, cohort)
        .select_related("contributor", "deleted_by")
        .order_by("-deleted_at", "-pk")
    )
    page = _page(request, rows, DELETED_PER_PAGE)
    return render(
        request,
        "resources/deleted.html",
        {"cohort": cohort, "page_obj": page, "resources": list(page.object_list)},
    )
