"""(A) Packets over the REST API, with the same permission answers as the pages:

- ``GET/POST /api/v1/journal/packets/``: the caller's own packets (most recently changed
  first); POST ``{area, period}`` (slugs) makes one with its sections.
- ``GET/PATCH /api/v1/journal/packets/{id}/``: a packet the caller may read (its owner, and
  the facilitators of the cohort it is shared with), with its sections; PATCH (owner only)
  sets ``status``, ``submitted_on``, ``shared_with`` (a cohort slug, or null),
  ``assessment`` (an id, or null) from ``version``: a stale one answers 409 with the packet
  as it stands under ``current``.
- ``GET/PATCH /api/v1/journal/packets/{id}/sections/{section_id}/``: one section; PATCH
  (owner only) ``{body, version}``, a stale version answers 409 with the section as it
  stands under ``current``, nothing overwritten.

Anything the caller may not see, or may not change, is the same 404 as what does not exist.
Refusals of the services propagate to ``core.api.exception_handler``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from cohorts.models import Cohort, EnrollmentPeriod
from competencies.models import Area
from core.api import ErrorSerializer, service_error_body
from core.errors import not_found, status_for
from journals.models import SelfAssessment
from journals.selectors.assessments import default_framework
from packets.models import Packet, Section
from packets.permissions import access_packet
from packets.requirements import requirements_for
from packets.serializers import (
    PacketCreateSerializer,
    PacketDetailSerializer,
    PacketEditSerializer,
    PacketSerializer,
    SectionEditSerializer,
    SectionSerializer,
)
from packets.services.common import PacketError
from packets.services.packets import (
    UNSET,
    PacketChanges,
    StalePacket,
    packet_create,
    packet_update,
)
from packets.services.sections import StaleSection, section_update

StalePacketSerializer = inline_serializer(
    "StalePacket",
    {
        "detail": serializers.CharField(),
        "code": serializers.CharField(),
        "current": PacketDetailSerializer(),
    },
)
StaleSectionSerializer = inline_serializer(
    "StaleSection",
    {
        "detail": serializers.CharField(),
        "code": serializers.CharField(),
        "current": SectionSerializer(),
    },
)


def _with_relations(rows: QuerySet[Packet]) -> QuerySet[Packet]:
    return rows.select_related("owner", "area", "period", "shared_with")


def _detail_rows() -> QuerySet[Packet]:
    return _with_relations(Packet.objects.all()).prefetch_related(
        Prefetch(
            "sections",
            queryset=Section.objects.select_related("framing_question").order_by("order", "pk"),
        )
    )


def _context(request: Request, packet: Packet) -> dict[str, Any]:
    return {"request": request, "limits": requirements_for(packet.area).word_limits}


def _packet_body(request: Request, packet_id: int) -> dict[str, Any]:
    packet = _detail_rows().get(pk=packet_id)
    return PacketDetailSerializer(packet, context=_context(request, packet)).data


class PacketListView(generics.GenericAPIView):
    """Your application packets (GET) and a new one (POST)."""

    serializer_class = PacketSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self) -> QuerySet[Packet]:
        return _with_relations(Packet.objects.filter(owner=self.request.user)).order_by(
            "-updated_at", "-pk"
        )

    @extend_schema(
        description="Your own packets, most recently changed first (those shared with you "
        "are read one by one, from their address).",
        responses=PacketSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        data = PacketSerializer(page, many=True, context={"request": request}).data
        return self.get_paginated_response(data)

    @extend_schema(
        description="Start a packet for a credential area (slug) and enrollment period "
        "(slug, optional): it gets a section for each written part the area asks for. One "
        "per area and period: a second answers 409.",
        request=PacketCreateSerializer,
        responses={
            201: PacketDetailSerializer,
            400: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },
    )
    def post(self, request: Request) -> Response:
        form = PacketCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        area = Area.objects.filter(framework=default_framework(), slug=data["area"]).first()
        if area is None:
            raise PacketError("Choose a credential area of the framework.", field="area")
        period = None
        if data.get("period"):
            period = EnrollmentPeriod.objects.filter(slug=data["period"]).first()
            if period is None:
                raise PacketError("Choose an enrollment period.", field="period")
        made = packet_create(owner=request.user, area=area, period=period)
        return Response(_packet_body(request, made.pk), status=status.HTTP_201_CREATED)


class PacketDetailView(generics.GenericAPIView):
    """One packet with its sections. PATCH (its owner): fields left out keep their value;
    ``version`` must be the current one, else 409 with the packet under ``current``."""

    serializer_class = PacketDetailSerializer
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: PacketDetailSerializer, 404: ErrorSerializer})
    def get(self, request: Request, pk: int) -> Response:
        packet = access_packet(request.user, packet_id=pk, queryset=_detail_rows())
        return Response(PacketDetailSerializer(packet, context=_context(request, packet)).data)

    @extend_schema(
        request=PacketEditSerializer,
        responses={
            200: PacketDetailSerializer,
            400: ErrorSerializer,
            404: ErrorSerializer,
            409: StalePacketSerializer,
        },
    )
    def patch(self, request: Request, pk: int) -> Response:
        packet = access_packet(request.user, packet_id=pk, need="edit")
        form = PacketEditSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        changes = PacketChanges(
            status=data.get("status", UNSET), submitted_on=data.get("submitted_on", UNSET)
        )
        if "shared_with" in data:
            slug = data["shared_with"]
            changes.shared_with = None
            if slug:
                changes.shared_with = Cohort.objects.filter(slug=slug).first()
                if changes.shared_with is None:
                    # The same words as for a cohort the owner is not in.
                    raise PacketError("Choose one of your cohorts.", field="shared_with")
        if "assessment" in data:
            changes.assessment = None
            if data["assessment"]:
                changes.assessment = SelfAssessment.objects.filter(pk=data["assessment"]).first()
                if changes.assessment is None:
                    raise PacketError(
                        f"Choose one of your self-assessments for {packet.area.name}.",
                        field="assessment",
                    )
        try:
            packet_update(packet=packet, by=request.user, changes=changes, version=data["version"])
        except StalePacket as stale:
            return Response(
                {**service_error_body(stale), "current": _packet_body(request, packet.pk)},
                status=status_for(stale.code),
            )
        return Response(_packet_body(request, packet.pk))


def _section(user: Any, pk: int, section_id: int, need: str = "view") -> Section:
    packet = access_packet(user, packet_id=pk, need=need)  # type: ignore[arg-type]
    section = (
        Section.objects.select_related("framing_question")
        .filter(pk=section_id, packet=packet)
        .first()
    )
    if section is None:
        raise not_found()
    section.packet = packet
    return section


class PacketSectionView(generics.GenericAPIView):
    """One section of a packet. PATCH (the packet's owner) ``{body, version}``: a stale
    ``version`` answers 409 with the section as it stands under ``current``."""

    serializer_class = SectionSerializer
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: SectionSerializer, 404: ErrorSerializer})
    def get(self, request: Request, pk: int, section_id: int) -> Response:
        section = _section(request.user, pk, section_id)
        return Response(SectionSerializer(section, context=_context(request, section.packet)).data)

    @extend_schema(
        request=SectionEditSerializer,
        responses={
            200: SectionSerializer,
            400: ErrorSerializer,
            404: ErrorSerializer,
            409: StaleSectionSerializer,
        },
    )
    def patch(self, request: Request, pk: int, section_id: int) -> Response:
        section = _section(request.user, pk, section_id, need="edit")
        form = SectionEditSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        context = _context(request, section.packet)
        try:
            saved = section_update(
                section=section,
                by=request.user,
                body=form.validated_data["body"],
                version=form.validated_data["version"],
            )
        except StaleSection as stale:
            return Response(
                {
                    **service_error_body(stale),
                    "current": SectionSerializer(stale.current, context=context).data,
                },
                status=status_for(stale.code),
            )
        saved.framing_question = section.framing_question
        return Response(SectionSerializer(saved, context=context).data)
