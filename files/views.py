from __future__ import annotations

from uuid import UUID

from django.http import FileResponse, Http404, HttpRequest
from django.utils.http import content_disposition_header

from files.models import StoredFile
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
