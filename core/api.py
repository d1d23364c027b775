"""API plumbing shared by every app: one shape for every error body."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import (
    BadRequest,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import ServiceError, status_for

NOT_FOUND_BODY = {"detail": "Not found.", "code": "not_found"}


class ErrorSerializer(serializers.Serializer):
    """The body of every API error (the schema's ``Error``)."""

    detail = serializers.CharField(help_text="A message to show a person.")
    code = serializers.CharField(help_text="A machine-readable reason, e.g. ``not_found``.")
    errors = serializers.DictField(
        required=False,
        help_text="For an invalid request: the messages for each field, by field name.",
    )

    class Meta:
        ref_name = "Error"


class ApiSchema(AutoSchema):
    """drf-spectacular's schema, plus the error answers every operation can give, so a
    generated client knows each one is an :class:`ErrorSerializer` body:

    - 401: missing or bad credentials (a bad token is refused even where none is needed);
    - 429: over the rate limit;
    - 403: a write with a session but no CSRF token (and whatever the view refuses);
    - 404: a path naming an object (missing or not the caller's), or a page past the end;
    - 400: an address holding a NUL character (any operation), or a request body that is
      malformed or invalid;
    - 415: a request body of a type not accepted.

    A view declares the answers only it gives (409 for a conflict, 403 for a refusal, 400
    for a bad query parameter) with ``extend_schema(responses=...)``.
    """

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    ErrorSerializer, code, direction=direction
                )
        return responses

    def _error_codes(self) -> list[str]:
        codes = ["400", "401"]
        if self.method not in ("GET", "HEAD", "OPTIONS"):
            codes.append("403")
        if "{" in self.path or (
            self.method == "GET" and self._is_list_view() and self._get_paginator()
        ):
            codes.append("404")
        if self._get_request_body() is not None:
            codes.append("415")
        if self.view.get_throttles():
            codes.append("429")
        return sorted(codes)


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


def is_api_path(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


def service_error_body(error: ServiceError) -> dict[str, str]:
    """What every transport answers a refusal with: its message and its code."""
    return {"detail": error.message, "code": error.code}


def json_not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse(dict(NOT_FOUND_BODY), status=404)


@csrf_exempt
def api_not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    """Whatever is asked of a path under ``/api/`` that names nothing: a JSON 404.

    The last URL pattern, so an unknown API path is never redirected to add a slash (a
    POST cannot follow that) and never reaches a CSRF refusal for a view that is not there.
    """
    return json_not_found(request)


class NulInQuery(BadRequest):
    """An address whose path or query string holds a NUL character: no stored value holds
    one, and PostgreSQL refuses to compare with one (``core.middleware.QueryTextMiddleware``
    answers it before any view runs)."""


# Requests Django (or the middleware) refuses before a view sees them, and what the answer
# says.
BAD_REQUEST_BODIES: dict[type[Exception], dict[str, str]] = {
    NulInQuery: {
        "detail": "The address holds a NUL character (%00), which no value here can contain.",
        "code": "invalid",
    },
    RequestDataTooBig: {"detail": "The request body is too large.", "code": "too_large"},
    TooManyFieldsSent: {"detail": "The request has too many fields.", "code": "too_many_fields"},
    TooManyFilesSent: {"detail": "The request has too many files.", "code": "too_many_files"},
}


def json_bad_request(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    body = {"detail": "Bad request.", "code": "bad_request"}
    if exception is not None:
        body = BAD_REQUEST_BODIES.get(type(exception), body)
    return JsonResponse(dict(body), status=400)


def json_server_error(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"detail": "Server error.", "code": "server_error"}, status=500)


class JsonErrorsMixin:
    """For API views that render something other than JSON (the schema's YAML, the docs'
    HTML page): their refusals (405 for a wrong method, 401, 429...) still answer JSON."""

    def handle_exception(self, exc: Exception) -> Response:
        response = super().handle_exception(exc)  # type: ignore[misc]
        self.request.accepted_renderer = JSONRenderer()  # type: ignore[attr-defined]
        self.request.accepted_media_type = JSONRenderer.media_type  # type: ignore[attr-defined]
        return response
