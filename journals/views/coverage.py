"""Coverage pages: the heat map of one credential area (a table with text in every cell,
so nothing is read from colour alone) and one competency's cell, which lists what covers
it and, when that is thin, approved trainings and open cohorts that address it.

A person's coverage is theirs alone: these pages read only the signed-in person's own
entries and evidence.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.errors import not_found
from journals.selectors import coverage as selectors
from journals.selectors.assessments import default_framework, framework_areas

# How many trainings and cohorts a thin cell suggests.
SUGGESTIONS = 5


@login_required
@require_GET
def coverage(request: HttpRequest) -> HttpResponse:
    areas = framework_areas(default_framework())
    slug = request.GET.get("area")
    if slug:
        area = next((a for a in areas if a.slug == slug), None)
        if area is None:
            raise not_found()
    else:
        area = selectors.busiest_area(request.user, areas)
    return render(
        request,
        "journals/coverage.html",
        {
            "areas": areas,
            "area": area,
            "coverage": selectors.coverage_for(request.user, area) if area else None,
            "rule": {
                "recent_days": selectors.RECENT_DAYS,
                "strong_items": selectors.STRONG_ITEMS,
                "strong_evidence": selectors.STRONG_EVIDENCE,
                "strong_questions": selectors.STRONG_QUESTIONS,
            },
        },
    )


@login_required
@require_GET
def coverage_cell(request: HttpRequest, code: str) -> HttpResponse:
    competency = selectors.competency_by_code(code)
    if competency is None:
        raise not_found()
    detail = selectors.cell_detail(request.user, competency)
    suggestions = None
    if detail.cell.strength in (selectors.NONE, selectors.THIN):
        from trainings.selectors import recommendations

        suggestions = recommendations([competency], limit=SUGGESTIONS)
    return render(
        request,
        "journals/coverage_cell.html",
        {
            "competency": competency,
            "area": competency.area,
            "detail": detail,
            "cell": detail.cell,
            "suggestions": suggestions,
        },
    )
