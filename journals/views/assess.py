"""Self-assessment pages: my sittings per credential area, taking one (again), and one
sitting with the change since the one before, drawn as a chart with a table beside it.

Only the person sees their own sittings: anyone else (staff and admins included) gets
the same 404 as for a sitting that does not exist.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET, require_http_methods

from core.charts import MAX_SERIES, Series, grouped_bar_chart, pattern_name
from core.errors import not_found
from journals import permissions
from journals.forms_assess import SelfAssessmentForm
from journals.selectors import assessments as selectors
from journals.services import JournalError, self_assessment_take


def sitting_labels(sittings: list[Any]) -> list[str]:
    """How sittings are named in a chart's legend and a table's header: their date, and
    the time too where two fall on the same day."""
    dates = [formats.date_format(timezone.localtime(s.taken_at), "j M Y") for s in sittings]
    repeated = {d for d, n in Counter(dates).items() if n > 1}
    return [
        f"{d}, {formats.time_format(timezone.localtime(s.taken_at), 'H:i')}" if d in repeated else d
        for d, s in zip(dates, sittings, strict=True)
    ]


def change_chart(detail: selectors.AssessmentDetail, labels: list[str]) -> SafeString:
    """The sittings side by side: one row per competency, one patterned bar per sitting."""
    history = detail.history[-MAX_SERIES:]
    labels = labels[-MAX_SERIES:]
    offset = len(detail.history) - len(history)
    series = [
        Series(label=label, values=[row.cells[offset + i].level for row in detail.history_rows])
        for i, label in enumerate(labels)
    ]
    patterns = ", ".join(f"{label} as {pattern_name(i)}" for i, label in enumerate(labels))
    scale = " → ".join(detail.levels)
    description = (
        f"For each competency of {detail.area.name}, one bar per sitting ({patterns}); "
        f"a longer bar is a higher level on the scale {scale}, and the level is written "
        "after each bar. The table below the chart gives the same ratings and the change "
        "between sittings."
    )
    return grouped_bar_chart(
        chart_id=f"assessment-{detail.assessment.pk}-chart",
        title=f"Self-assessments of {detail.area.name}, change between sittings",
        description=description,
        categories=[row.competency.code for row in detail.history_rows],
        series=series,
        scale=detail.levels,
        missing="not rated",
    )


@login_required
@require_GET
def assessments(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "journals/assessments.html",
        {"areas": selectors.sittings_by_area(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def assessment_take(request: HttpRequest) -> HttpResponse:
    slug = request.GET.get("area", "")
    if not slug:
        return redirect("journals:assessments")
    area = selectors.area_by_slug(slug)
    if area is None:
        raise not_found()
    levels = [str(level) for level in (area.framework.levels or [])]
    latest, last = selectors.latest_levels(request.user, area)
    form = SelfAssessmentForm(
        request.POST if request.method == "POST" else None, area=area, levels=levels, last=last
    )
    if request.method == "POST" and form.is_valid():
        try:
            taken = self_assessment_take(
                user=request.user,  # type: ignore[arg-type]
                area=area,
                ratings=form.ratings(),
                note=form.cleaned_data["note"],
            )
        except JournalError as error:
            form.show_error(error.field, error.message)
        else:
            messages.success(
                request,
                f"Your self-assessment of {area.name} is saved, dated today. "
                "Earlier ones are kept as they were.",
            )
            return redirect(taken.get_absolute_url())
    return render(
        request,
        "journals/assessment_form.html",
        {"area": area, "levels": levels, "form": form, "latest": latest},
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def assessment(request: HttpRequest, pk: int) -> HttpResponse:
    found = permissions.access_assessment(request.user, assessment_id=pk)
    detail = selectors.assessment_detail(request.user, found)
    labels = sitting_labels(detail.history)
    return render(
        request,
        "journals/assessment.html",
        {
            "detail": detail,
            "assessment": found,
            "area": detail.area,
            "labels": labels,
            "chart": change_chart(detail, labels) if detail.levels else None,
        },
    )
