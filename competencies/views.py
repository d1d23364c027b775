from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from competencies import selectors
from competencies.models import Framework


def index(request: HttpRequest) -> HttpResponse:
    framework = selectors.default_framework()
    if framework is None:
        return render(request, "competencies/empty.html")
    return redirect(framework)


def framework_detail(request: HttpRequest, slug: str) -> HttpResponse:
    framework = selectors.framework_by_slug(slug)
    others = Framework.objects.exclude(pk=framework.pk).only("slug", "name")
    return render(
        request,
        "competencies/framework.html",
        {"framework": framework, "other_frameworks": others},
    )


def area_detail(request: HttpRequest, framework_slug: str, area_slug: str) -> HttpResponse:
    area = selectors.area_by_slugs(framework_slug, area_slug)
    return render(request, "competencies/area.html", {"area": area, "framework": area.framework})
