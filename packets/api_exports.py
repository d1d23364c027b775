"""(D) Packet exports over the REST API:

- ``POST /api/v1/journal/packets/{id}/exports/`` ``{"format": "pdf"|"docx"|"zip"}``: the
  owner starts an export; 202 with ``{id, status, url}`` (``url`` is the status below).
  ``GET`` lists the owner's recent exports of the packet.
- ``GET /api/v1/journal/packets/exports/{export_id}/``: an export's status and progress,
  with ``download_url`` once it is done. The owner's only (any kind of export): everyone
  else gets the same 404 as for one that does not exist, or has expired.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import ErrorSerializer
from files.exports import access_export
from files.models import Export
from packets.permissions import access_packet
from packets.selectors.exports import FORMAT_CHOICES, packet_exports_query
from packets.services.exports import packet_export_request


class ExportRequestSerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=FORMAT_CHOICES)


class ExportStartedSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.CharField()
    url = serializers.URLField(help_text="The export's status (GET).")


class ExportStatusSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.CharField()
    label = serializers.CharField()
    status = serializers.ChoiceField(choices=Export.Status.choices)
    progress = serializers.IntegerField(min_value=0, max_value=100)
    message = serializers.CharField(allow_blank=True)
    error = serializers.CharField(allow_blank=True)
    filename = serializers.CharField(allow_blank=True)
    size = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField()
    url = serializers.URLField()
    download_url = serializers.URLField(
        allow_null=True, help_text="Present once the export is done."
    )


def status_body(request: Request, export: Export) -> dict[str, Any]:
    from django.urls import reverse

    done = export.status == Export.Status.DONE
    return {
        "id": str(export.pk),
        "kind": export.kind,
        "label": export.label,
        "status": export.status,
        "progress": export.progress,
        "message": export.message,
        "error": export.error,
        "filename": export.filename if done else "",
        "size": export.size if done else 0,
        "created_at": export.created_at.isoformat(),
        "finished_at": export.finished_at.isoformat() if export.finished_at else None,
        "expires_at": export.expires_at.isoformat(),
        "url": request.build_absolute_uri(reverse("api:export", args=[export.pk])),
        "download_url": (
            request.build_absolute_uri(reverse("files:export_download", args=[export.pk]))
            if done
            else None
        ),
    }


class PacketExportsView(generics.GenericAPIView):
    """The owner's exports of one packet."""

    serializer_class = ExportRequestSerializer
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: ExportStatusSerializer(many=True), 404: ErrorSerializer})
    def get(self, request: Request, pk: int) -> Response:
        packet = access_packet(request.user, packet_id=pk, need="edit")
        page = self.paginate_queryset(packet_exports_query(packet, request.user))
        return self.get_paginated_response([status_body(request, export) for export in page])

    @extend_schema(
        description="Start an export of the packet (its owner only). It is built in the "
        "background: follow `url` until `status` is `done`, then download `download_url`.",
        request=ExportRequestSerializer,
        responses={
            202: ExportStartedSerializer,
            400: ErrorSerializer,
            404: ErrorSerializer,
            429: ErrorSerializer,
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        packet = access_packet(request.user, packet_id=pk, need="edit")
        form = ExportRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        export = packet_export_request(
            packet=packet, by=request.user, fmt=form.validated_data["format"]
        )
        body = status_body(request, export)
        return Response(
            {"id": body["id"], "status": body["status"], "url": body["url"]},
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": body["url"]},
        )


class ExportStatusView(generics.GenericAPIView):
    """One of the caller's exports: status, progress, and the download once done."""

    serializer_class = ExportStatusSerializer
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: ExportStatusSerializer, 404: ErrorSerializer})
    def get(self, request: Request, export_id: UUID) -> Response:
        return Response(status_body(request, access_export(request.user, export_id)))
