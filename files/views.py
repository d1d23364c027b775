from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

from files.exports import access_export
from files.models import Export, StoredFile
from files.services import INLINE_TYPES, may_download


def download(request: HttpRequest, pk: UUID) -> FileResponse:
    """A stored file, for those its owning app allows (404 for everyone else, as for a
    file that does not exist). Served so that a browser never runs it as a page."""
    stored = StoredFile.objects.filter(pk=pk).first()
    if stored is None or not may_download(request.user, stored):
        raise Http404("No such file.")
    try:
        handle = stored.path.open("rb")
    except FileNotFoundError:
        raise Http404("No such file.") from None
    inline = stored.content_type in INLINE_TYPES
    response = FileResponse(handle, content_type=stored.content_type)
    response["Content-Length"] = str(stored.size)
    response["Content-Disposition"] = (
        content_disposition_header(not inline, stored.original_name) or "attachment"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


# --- exports --------------------------------------------------------------------------------


def _export_json(export: Export) -> dict[str, Any]:
    done = export.status == Export.Status.DONE
    return {
        "id": str(export.pk),
        "kind": export.kind,
        "label": export.label,
        "status": export.status,
        "status_label": export.get_status_display(),
        "progress": export.progress,
        "message": export.message,
        "error": export.error,
        "filename": export.filename if done else "",
        "size": export.size if done else 0,
        "created_at": export.created_at.isoformat(),
        "finished_at": export.finished_at.isoformat() if export.finished_at else None,
        "expires_at": export.expires_at.isoformat(),
        "url": reverse("files:export", args=[export.pk]),
        "download_url": reverse("files:export_download", args=[export.pk]) if done else None,
    }


def export_payload(export: Export) -> dict[str, Any]:
    """What the status JSON (and the apps' APIs) say about an export."""
    return _export_json(export)


@require_GET
def export_download(request: HttpRequest, pk: UUID) -> FileResponse:
    """A finished export, for its owner only, until it expires (404 otherwise)."""
    export = access_export(request.user, pk)
    path = export.path
    if export.status != Export.Status.DONE or path is None:
        raise Http404("No such file.")
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        raise Http404("No such file.") from None
    response = FileResponse(handle, content_type=export.content_type)
    response["Content-Length"] = str(export.size)
    response["Content-Disposition"] = (
        content_disposition_header(True, export.filename) or "attachment"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def export_status(request: HttpRequest, pk: UUID) -> JsonResponse:
    """The export's status and progress as JSON (polled by the pages' script)."""
    response = JsonResponse(_export_json(access_export(request.user, pk)))
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def export_page(request: HttpRequest, pk: UUID) -> HttpResponse:
    """The export's status page: refreshes itself while the file is being built (no
    script needed), then offers the download."""
    export = access_export(request.user, pk)
    back = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    response = render(
        request,
        "files/export.html",
        {"export": export, "back": back, "refresh": not export.is_finished},
    )
    response["Cache-Control"] = "private, no-store"
    return response
