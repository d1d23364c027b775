"""A stand-in URLconf while discussions/urls.py is being written: the project's URLs plus a
``discussions:thread`` route, so ``Thread.get_absolute_url`` (used by the notification
services) can reverse. Once the real discussions URLs are mounted in config.urls this
module adds nothing and is only the project URLconf; delete it then."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, include, path, reverse

from config.urls import urlpatterns as project_urlpatterns


def _real_discussions_urls() -> bool:
    try:
        reverse("discussions:thread", args=["x", 1], urlconf="config.urls")
    except NoReverseMatch:
        return False
    return True


def _stub(request: HttpRequest, slug: str, pk: int) -> HttpResponse:  # pragma: no cover
    return HttpResponse(f"thread {pk}")


urlpatterns = list(project_urlpatterns)
if not _real_discussions_urls():
    urlpatterns.append(
        path(
            "cohorts/",
            include(
                ([path("<slug:slug>/threads/<int:pk>/", _stub, name="thread")], "discussions"),
                namespace="discussions",
            ),
        )
    )
