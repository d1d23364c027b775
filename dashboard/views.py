"""Pages that gather across apps. Each later app adds its panel through its selectors."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from cohorts import selectors as cohort_selectors
from cohorts.models import Membership
from competencies import selectors as competency_selectors
from discussions import selectors as discussion_selectors


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("dashboard:home")
    framework = competency_selectors.default_framework()
    areas = framework.areas.all() if framework else []
    return render(request, "dashboard/landing.html", {"framework": framework, "areas": areas})


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    mine = Membership.objects.filter(cohort=OuterRef("pk"), user=user)
    cohorts = cohort_selectors.cohorts_of(user).annotate(
        my_role=Subquery(mine.values("role")[:1]),
        my_status=Subquery(mine.values("status")[:1]),
    )
    return render(
        request,
        "dashboard/dashboard.html",
        {
            "my_cohorts": list(cohorts),
            "next_sessions": list(cohort_selectors.upcoming_sessions_for(user, limit=3)),
            "unread_threads": discussion_selectors.unread_threads_for(user),
        },
    )


def cop_directory(request: HttpRequest) -> HttpResponse:
    """The old address of the directory."""
    return redirect("cohorts:directory", permanent=True)


def trainings_catalog(request: HttpRequest) -> HttpResponse:
    return render(request, "dashboard/coming_soon.html", {"feature": "trainings"})
