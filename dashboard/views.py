"""Pages that gather across apps. Each app adds its dashboard panel in its
``AppConfig.ready`` (see ``core.registry.register_panel``)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from competencies import selectors as competency_selectors
from core.registry import panels
from dashboard.contributions import SHOWN, contributions_of


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("dashboard:home")
    framework = competency_selectors.default_framework()
    areas = framework.areas.all() if framework else []
    return render(request, "dashboard/landing.html", {"framework": framework, "areas": areas})


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Every registered panel, in order, each with what its context function returns."""
    shown = panels()
    context: dict[str, Any] = {}
    for panel in shown:
        values = panel.context(request.user)
        clash = set(values) & set(context)
        if clash:
            raise ValueError(f"dashboard panel {panel.name!r} reuses the names {sorted(clash)}")
        context.update(values)
    return render(request, "dashboard/dashboard.html", {**context, "panels": shown})


def cop_directory(request: HttpRequest) -> HttpResponse:
    """The old address of the directory."""
    return redirect("cohorts:directory", permanent=True)


@login_required
def contributions(request: HttpRequest) -> HttpResponse:
    """The person's own posts, threads, attendance and goals, the latest of each."""
    return render(
        request,
        "dashboard/contributions.html",
        {**contributions_of(request.user), "shown": SHOWN},
    )
