from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core.api import (
    BAD_REQUEST_BODIES,
    JsonErrorsMixin,
    is_api_path,
    json_bad_request,
    json_not_found,
    json_server_error,
)


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 with a tiny body when the database answers, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def _wants_json(request: HttpRequest) -> bool:
    return is_api_path(request.path)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_json(request):
        return json_not_found(request, exception)
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if _wants_json(request):
        return json_server_error(request)
    return render(request, "500.html", status=500)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"detail": "Forbidden.", "code": "forbidden"}, status=403)
    return render(request, "403.html", status=403)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_json(request):
        return json_bad_request(request, exception)
    known = BAD_REQUEST_BODIES.get(type(exception)) if exception is not None else None
    return render(request, "400.html", {"detail": known["detail"] if known else ""}, status=400)


class SchemaView(JsonErrorsMixin, SpectacularAPIView):
    """The OpenAPI schema (YAML, or JSON when asked); its errors in JSON."""


class SchemaDocsView(JsonErrorsMixin, SpectacularSwaggerSplitView):
    """The schema's Swagger UI page; its errors in JSON."""
