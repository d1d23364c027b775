"""The public directory of communities of practice."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cohorts import selectors
from cohorts.forms import FilterForm
from cohorts.views.cohort import places_left
from competencies import selectors as competency_selectors


def directory(request: HttpRequest) -> HttpResponse:
    framework = competency_selectors.default_framework()
    areas = list(framework.areas.order_by("order", "pk")) if framework else []
    periods = list(selectors.open_periods())
    form = FilterForm(request.GET or None, areas=areas, periods=periods)
    area = period = ""
    if form.is_bound and form.is_valid():
        area, period = form.cleaned_data["area"], form.cleaned_data["period"]
    cohorts = list(selectors.directory(area=area or None, period=period or None))
    places = selectors.my_places(request.user, cohorts)
    for cohort in cohorts:
        cohort.places_left = places_left(cohort)
        cohort.my_place = places.get(cohort.pk, "")
    return render(
        request,
        "cohorts/directory.html",
        {
            "cohorts": cohorts,
            "form": form,
            "filtered": bool(area or period),
        },
    )
