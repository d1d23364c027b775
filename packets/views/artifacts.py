"""(B) Picking a packet's artifacts from the owner's evidence, editing, reordering and
removing them. Only the owner: every view fetches the packet with
``access_packet(need="edit")`` (the same 404 for missing and not theirs); the services
decide the rest. Refusals re-render the form with what was typed, or go back with the
message (JSON with the refusal's status to a script that asks for it)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import ServiceError, not_found, status_for
from core.pages import refusal_json, refuse, wants_json
from packets.forms_parts import ArtifactForm
from packets.models import Artifact, Packet
from packets.permissions import access_packet
from packets.selectors.artifacts import (
    area_competency_choices,
    artifact_of,
    artifact_views,
    evidence_choices,
    filter_choices,
    pick_filters,
)
from packets.services.artifacts import (
    artifact_add,
    artifact_move,
    artifact_remove,
    artifact_update,
)


def _owned(request: HttpRequest, pk: int) -> Packet:
    return access_packet(request.user, packet_id=pk, need="edit")


def _artifact(packet: Packet, artifact_id: int) -> Artifact:
    found = artifact_of(packet, artifact_id)
    if found is None:
        raise not_found()
    return found


def _on_packet(packet: Packet, anchor: str = "artifacts") -> str:
    return f"{packet.get_absolute_url()}#{anchor}"


def _pick_url(packet: Packet, source: Any) -> str:
    """The picker with the filters and page it was showing (from a form's hidden fields)."""
    keep = {k: str(source.get(k))[:64] for k in ("competency", "area", "page") if source.get(k)}
    base = reverse("packets:artifacts_pick", args=[packet.pk])
    return f"{base}?{urlencode(keep)}" if keep else base


@login_required
@require_GET
def pick(request: HttpRequest, pk: int) -> HttpResponse:
    """The owner's evidence, filtered by competency or area, each with an "Add" button
    (or "In the packet" once picked)."""
    packet = _owned(request, pk)
    competency = request.GET.get("competency", "").strip()
    area = request.GET.get("area", "").strip()
    filters = pick_filters(packet, competency=competency, area=area)
    page, choices = evidence_choices(packet, request.user, filters, page=request.GET.get("page"))
    areas, groups = filter_choices(packet)
    return render(
        request,
        "packets/artifacts_pick.html",
        {
            "packet": packet,
            "choices": choices,
            "page": page,
            "filters": filters,
            "areas": areas,
            "groups": groups,
            "picked_count": packet.artifacts.count(),
            "query": urlencode(
                {
                    k: v
                    for k, v in (
                        ("competency", filters.competency.code if filters.competency else ""),
                        ("area", filters.area.slug if filters.area else ""),
                    )
                    if v
                }
            ),
        },
    )


@login_required
@require_POST
def add(request: HttpRequest, pk: int) -> HttpResponse:
    packet = _owned(request, pk)
    back = _pick_url(packet, request.POST)
    try:
        artifact = artifact_add(
            packet=packet, by=request.user, evidence=request.POST.get("evidence")
        )
    except ServiceError as error:
        return refuse(request, error, back_to=back)
    if wants_json(request):
        return JsonResponse({"id": artifact.pk, "packet": packet.pk}, status=201)
    messages.success(request, "Added to the packet. Edit its annotation from the packet page.")
    return redirect(f"{back}#evidence-{artifact.evidence_id}")


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int, artifact_id: int) -> HttpResponse:
    packet = _owned(request, pk)
    artifact = _artifact(packet, artifact_id)
    choices = area_competency_choices(packet)
    status = 200
    if request.method == "POST":
        form = ArtifactForm(request.POST, competencies=choices)
        if form.is_valid():
            try:
                artifact_update(
                    artifact=artifact,
                    by=request.user,
                    annotation=form.cleaned_data.get("annotation") or "",
                    competencies=form.cleaned_data.get("competencies") or [],
                )
            except ServiceError as error:
                if wants_json(request):
                    return refusal_json(error)
                field = getattr(error, "field", None)
                form.add_error(field if field in form.fields else None, error.message)
                status = status_for(error.code)
            else:
                if wants_json(request):
                    return JsonResponse({"id": artifact.pk, "packet": packet.pk})
                messages.success(request, "Artifact saved.")
                return redirect(_on_packet(packet, f"artifact-{artifact.pk}"))
        else:
            status = 400
    else:
        form = ArtifactForm(
            initial={
                "annotation": artifact.annotation,
                "competencies": [str(c.pk) for c in artifact.competencies.all()],
            },
            competencies=choices,
        )
    view = next((v for v in artifact_views(packet, request.user) if v.id == artifact.pk), None)
    return render(
        request,
        "packets/artifact_edit.html",
        {"packet": packet, "artifact": view, "form": form},
        status=status,
    )


@login_required
@require_POST
def move(request: HttpRequest, pk: int, artifact_id: int) -> HttpResponse:
    packet = _owned(request, pk)
    artifact = _artifact(packet, artifact_id)
    back = _on_packet(packet, f"artifact-{artifact.pk}")
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        return refuse(request, ServiceError("Move it up or down.", code="invalid"), back_to=back)
    try:
        artifact_move(artifact=artifact, by=request.user, offset=-1 if direction == "up" else 1)
    except ServiceError as error:
        return refuse(request, error, back_to=back)
    if wants_json(request):
        order = list(packet.artifacts.order_by("order", "pk").values_list("pk", flat=True))
        return JsonResponse({"packet": packet.pk, "order": order})
    return redirect(back)


@login_required
@require_POST
def remove(request: HttpRequest, pk: int, artifact_id: int) -> HttpResponse:
    packet = _owned(request, pk)
    artifact = _artifact(packet, artifact_id)
    try:
        artifact_remove(artifact=artifact, by=request.user)
    except ServiceError as error:
        return refuse(request, error, back_to=_on_packet(packet))
    if wants_json(request):
        return JsonResponse({"removed": artifact_id, "packet": packet.pk})
    messages.success(request, "Artifact removed from the packet (the evidence stays on its entry).")
    return redirect(_on_packet(packet))
