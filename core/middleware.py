import logging
from collections.abc import Callable
from dataclasses import asdict

from csp.constants import HEADER
from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.exceptions import BadRequest, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.urls import Resolver404, resolve

from core import deferred
from core.api import NulInQuery, is_api_path
from core.http import cookies_without_nul
from core.views import bad_request, not_found


class AfterResponseMiddleware:
    """Opens the request's list of work for after its response (``core.deferred``) and runs
    it when the response is closed, once the last byte has been handed to the server. First
    in the chain, so the work of every layer after it waits for the answer."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        pending = deferred.begin_request()
        try:
            response = self.get_response(request)
        finally:
            deferred.end_of_view(pending)
        # Django's own list of what ``close()`` runs (a FileResponse's file is closed there):
        # whichever thread closes the response, the work runs.
        response._resource_closers.append(pending.run)  # type: ignore[attr-defined]
        return response


class SecurityHeadersMiddleware:
    """Headers Django's SecurityMiddleware does not set itself."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
        )
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response


class QueryTextMiddleware:
    """A NUL character in the path or the query string answers 400 before any view runs.

    No value the site stores holds one, and PostgreSQL refuses a query that compares with
    one, so a view filtering on ``?q=a%00b`` would fail with a server error. Refusing the
    address here keeps every filter, search and page parameter of every app safe in one
    place: JSON for ``/api/``, the site's 400 page (which says why) elsewhere."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or "\x00" in request.path_info or _query_holds_nul(request):
            return bad_request(request, NulInQuery())
        return self.get_response(request)


class NulCookieMiddleware:
    """Cookies holding a NUL character are ignored, as if not sent (``cookies_without_nul``):
    the visitor is simply not signed in. Sits before ``SessionMiddleware``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        cookies = request.COOKIES
        kept = cookies_without_nul(cookies)
        if len(kept) != len(cookies):
            request.COOKIES = kept
        return self.get_response(request)


def _query_holds_nul(request: HttpRequest) -> bool:
    return any(
        "\x00" in name or any("\x00" in value for value in values)
        for name, values in request.GET.lists()
    )


class NotFoundPageMiddleware:
    """Every 404 is the site's own page, with DEBUG on too.

    With DEBUG on, Django answers an unknown URL or an ``Http404`` with its technical page,
    which names the exception's message ("No Cohort matches the given query" for a made-up
    slug, "No such page." for a hidden one) and so tells an outsider which hidden things
    exist. Here both go to ``handler404`` (``core.views.not_found``) as they do in
    production, and the answer passes back through the other middleware (CSP included).
    Sits last in ``MIDDLEWARE`` so the request has its user and messages, as a view's has.

    Likewise a body Django refuses under ``/api/`` (too large, too many fields) answers the
    JSON 400 of ``handler400`` rather than the technical page, so an API client gets JSON
    whatever DEBUG says; it is logged as Django logs it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.DEBUG:
            try:
                resolve(request.path_info, getattr(request, "urlconf", None))
            except Resolver404 as exc:
                return not_found(request, exc)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if settings.DEBUG and isinstance(exception, Http404):
            return not_found(request, exception)
        if (
            settings.DEBUG
            and is_api_path(request.path)
            and isinstance(exception, SuspiciousOperation | BadRequest)
        ):
            if isinstance(exception, SuspiciousOperation):
                logging.getLogger(f"django.security.{type(exception).__name__}").error(
                    str(exception),
                    exc_info=exception,
                    extra={"status_code": 400, "request": request},
                )
            return bad_request(request, exception)
        return None


class CSPMiddleware(BaseCSPMiddleware):
    """django-csp, except that a 404 keeps the policy with DEBUG on.

    django-csp leaves 404 and 500 answers without the header in debug, for Django's
    technical pages and their inline styles; with :class:`NotFoundPageMiddleware` a 404 is
    always the site's own page, so it gets the same policy as every other page."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if settings.DEBUG and response.status_code == 404 and HEADER not in response:
            parts = self.get_policy_parts(request=request, response=response)
            policy = build_policy(**asdict(parts))
            if policy:
                response[HEADER] = policy
        return super().process_response(request, response)
