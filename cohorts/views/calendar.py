"""Calendar feeds (RFC 5545) and the page where a person finds and resets their secret
subscription links.

A calendar app cannot sign in, so feeds also accept ``?token=`` with the person's
CalendarToken; the feed then shows what that person may see. A wrong or reset token is a
404, exactly like a cohort the person may not see.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache

from cohorts import selectors, services
from cohorts.calendar import build_calendar
from cohorts.models import CalendarToken
from cohorts.permissions import access_cohort


def _feed_user(request: HttpRequest) -> Any:
    """Who the feed is for: the token's owner when a token is given (and only then), else
    the signed-in person. Raises 404 for a token that matches nobody."""
    if "token" in request.GET:
        token = request.GET["token"]
        found = (
            CalendarToken.objects.select_related("user").filter(token=token).first()
            if token
            else None
        )
        if found is None or not found.user.is_active:
            raise Http404("No such calendar.")
        return found.user
    return request.user


def _ics(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    # Personal (and possibly secret-bearing) content: no shared caches.
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def cohort_feed(request: HttpRequest, slug: str) -> HttpResponse:
    user = _feed_user(request)
    cohort = access_cohort(user, slug=slug, need="content")
    content = build_calendar(selectors.sessions_of(cohort), name=cohort.title)
    return _ics(content, f"{cohort.slug}.ics")


def my_feed(request: HttpRequest) -> HttpResponse:
    user = _feed_user(request)
    if not getattr(user, "is_authenticated", False):
        raise Http404("No such calendar.")
    content = build_calendar(selectors.sessions_for_feed(user), name="My Commonplace sessions")
    return _ics(content, "commonplace.ics")


@never_cache
@login_required
def calendar_settings(request: HttpRequest) -> HttpResponse:
    """GET shows my subscription links; POST resets the secret in them."""
    if request.method == "POST":
        services.calendar_token_reset(user=request.user)
        messages.success(
            request,
            "Your calendar links are new. Calendars subscribed with the old links stop "
            "updating: subscribe again with the links below.",
        )
        return redirect("cohorts:calendar_settings")
    token = services.calendar_token_for(user=request.user).token
    query = "?" + urlencode({"token": token})

    def absolute(path: str) -> dict[str, str]:
        url = request.build_absolute_uri(path + query)
        return {"https": url, "webcal": "webcal://" + url.split("://", 1)[1]}

    cohorts = [
        {"cohort": cohort, **absolute(reverse("cohorts:calendar", args=[cohort.slug]))}
        for cohort in selectors.cohorts_of(request.user)
    ]
    return render(
        request,
        "cohorts/calendar/settings.html",
        {"mine": absolute(reverse("cohorts:my_calendar")), "cohorts": cohorts},
    )
