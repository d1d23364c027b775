"""How an HTML page (and its JSON answer) answers a refused request.

A service refuses by raising :class:`~core.errors.ServiceError`; the page says why with the
status :func:`~core.errors.status_for` gives, the one the API answers the same refusal
with. A page that keeps a form re-renders it with the message; a button goes back to
where it was, with the message shown there.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect

from core.api import service_error_body
from core.errors import ServiceError, status_for


def wants_json(request: HttpRequest) -> bool:
    """The page's script asked for JSON (``Accept: application/json``)."""
    return "application/json" in request.headers.get("Accept", "")


def refusal_json(error: ServiceError) -> JsonResponse:
    """``{"detail", "code"}`` with the refusal's status: the API's body and status."""
    return JsonResponse(service_error_body(error), status=status_for(error.code))


def refuse(request: HttpRequest, error: ServiceError, *, back_to: str) -> HttpResponse:
    """A refused action: JSON with the refusal's status for a script, otherwise the message
    shown on ``back_to`` (a path), where the person came from."""
    if wants_json(request):
        return refusal_json(error)
    messages.error(request, error.message)
    return redirect(back_to)
