"""Bench-only URLconf: the site's URLs plus one bare page, ``/bench/bare/``.

The bare page is the floor the thread page is measured against (bench/live.py): an
authenticated view that renders a template extending the site's base layout with no data,
behind the same middleware. Served only when the bench launches the servers with
``ROOT_URLCONF=bench.urls``; config/urls.py never includes it.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

from config.urls import handler400, handler403, handler404, handler500  # noqa: F401
from config.urls import urlpatterns as site_urlpatterns

BARE = engines["django"].from_string(
    '{% extends "base.html" %}{% block title %}Bare{% endblock title %}'
    "{% block content %}<p>Bare page.</p>{% endblock content %}"
)


@login_required
def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(BARE.render({}, request))


urlpatterns = [path("bench/bare/", bare, name="bench-bare"), *site_urlpatterns]
