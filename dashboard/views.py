"""Pages that gather across apps. Each later app adds its panel through its selectors."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from competencies import selectors as competency_selectors


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("dashboard:home")
    framework = competency_selectors.default_framework()
    areas = framework.areas.all() if framework else []
    return render(request, "dashboard/landing.html", {"framework": framework, "areas": areas})


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "dashboard/dashboard.html", {})


def cop_directory(request: HttpRequest) -> HttpResponse:
    return render(request, "dashboard/coming_soon.html", {"feature": "cops"})


def trainings_catalog(request: HttpRequest) -> HttpResponse:
    return render(request, "dashboard/coming_soon.html", {"feature": "trainings"})
