"""API plumbing shared by every app: one shape for every error body."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, JsonResponse
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import ServiceError, status_for

NOT_FOUND_BODY = {"detail": "Not found.", "code": "not_found"}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every API error answers JSON with ``detail`` and a machine-readable ``code``.

    Validation errors keep DRF's per-field messages under ``errors`` so a client can show
    each next to its field. Every 404 has one body, whatever the failed lookup said, so a
    missing object and one the caller may not see cannot be told apart. A
    :class:`~core.errors.ServiceError` raised in a view answers its message and code with
    the status :func:`~core.errors.status_for` gives, as the pages do, so API views let
    service refusals propagate.
    """
    if isinstance(exc, ServiceError):
        return Response(service_error_body(exc), status=status_for(exc.code))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, Http404 | NotFound):
        response.data = dict(NOT_FOUND_BODY)
        return response
    data = response.data
    code = getattr(exc, "default_code", "error")
    if isinstance(data, dict) and set(data) == {"detail"}:
        detail = data["detail"]
        body: dict[str, Any] = {"detail": str(detail), "code": getattr(detail, "code", code)}
    else:
        body = {"detail": "The request is not valid.", "code": "invalid", "errors": data}
    response.data = body
    return response


def service_error_body(error: ServiceError) -> dict[str, str]:
    """What every transport answers a refusal with: its message and its code."""
    return {"detail": error.message, "code": error.code}


def json_not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse(dict(NOT_FOUND_BODY), status=404)


def json_server_error(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"detail": "Server error.", "code": "server_error"}, status=500)
