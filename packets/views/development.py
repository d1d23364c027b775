"""(B) The packet's professional development list: its page (every line, with edit,
reorder, remove and "bring up to date"), and the line form. Only the owner: the packet is
fetched with ``access_packet(need="edit")``; the services decide the rest."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import ServiceError, not_found, status_for
from core.pages import refusal_json, refuse, wants_json
from packets.forms_parts import DevelopmentForm
from packets.models import DevelopmentItem, Packet
from packets.permissions import access_packet
from packets.selectors.development import development_item_of, development_items
from packets.services.development import (
    development_add,
    development_move,
    development_refresh,
    development_remove,
    development_update,
)


def _owned(request: HttpRequest, pk: int) -> Packet:
    return access_packet(request.user, packet_id=pk, need="edit")


def _item(packet: Packet, item_id: int) -> DevelopmentItem:
    found = development_item_of(packet, item_id)
    if found is None:
        raise not_found()
    return found


def _list_url(packet: Packet, anchor: str = "") -> str:
    url = reverse("packets:development", args=[packet.pk])
    return f"{url}#{anchor}" if anchor else url


@login_required
@require_GET
def page(request: HttpRequest, pk: int) -> HttpResponse:
    packet = _owned(request, pk)
    return render(
        request,
        "packets/development.html",
        {"packet": packet, "items": list(development_items(packet))},
    )


@login_required
@require_POST
def refresh(request: HttpRequest, pk: int) -> HttpResponse:
    packet = _owned(request, pk)
    try:
        items = development_refresh(packet=packet, by=request.user)
    except ServiceError as error:
        return refuse(request, error, back_to=_list_url(packet))
    if wants_json(request):
        return JsonResponse({"packet": packet.pk, "lines": len(items)})
    messages.success(
        request, "The list is up to date with your cohorts and trainings; your edits are kept."
    )
    return redirect(_list_url(packet))


def _form_page(request: HttpRequest, packet: Packet, item: DevelopmentItem | None) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = DevelopmentForm(request.POST)
        if form.is_valid():
            try:
                if item is None:
                    saved = development_add(packet=packet, by=request.user, data=form.to_input())
                else:
                    saved = development_update(item=item, by=request.user, data=form.to_input())
            except ServiceError as error:
                if wants_json(request):
                    return refusal_json(error)
                field = getattr(error, "field", None)
                form.add_error(field if field in form.fields else None, error.message)
                status = status_for(error.code)
            else:
                if wants_json(request):
                    return JsonResponse(
                        {"id": saved.pk, "packet": packet.pk}, status=201 if item is None else 200
                    )
                messages.success(request, "Line added." if item is None else "Line saved.")
                return redirect(_list_url(packet, f"line-{saved.pk}"))
        else:
            status = 400
    elif item is None:
        form = DevelopmentForm()
    else:
        form = DevelopmentForm(
            initial={
                "title": item.title,
                "organiser": item.organiser,
                "started_on": item.started_on,
                "ended_on": item.ended_on,
                "detail": item.detail,
                "included": item.included,
            }
        )
    return render(
        request,
        "packets/development_form.html",
        {"packet": packet, "item": item, "form": form},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def add(request: HttpRequest, pk: int) -> HttpResponse:
    return _form_page(request, _owned(request, pk), None)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    packet = _owned(request, pk)
    return _form_page(request, packet, _item(packet, item_id))


@login_required
@require_POST
def move(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    packet = _owned(request, pk)
    item = _item(packet, item_id)
    back = _list_url(packet, f"line-{item.pk}")
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        return refuse(request, ServiceError("Move it up or down.", code="invalid"), back_to=back)
    try:
        development_move(item=item, by=request.user, offset=-1 if direction == "up" else 1)
    except ServiceError as error:
        return refuse(request, error, back_to=back)
    if wants_json(request):
        order = list(development_items(packet).values_list("pk", flat=True))
        return JsonResponse({"packet": packet.pk, "order": order})
    return redirect(back)


@login_required
@require_POST
def remove(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    packet = _owned(request, pk)
    item = _item(packet, item_id)
    try:
        development_remove(item=item, by=request.user)
    except ServiceError as error:
        return refuse(request, error, back_to=_list_url(packet, f"line-{item.pk}"))
    if wants_json(request):
        return JsonResponse({"removed": item_id, "packet": packet.pk})
    messages.success(request, "Line removed.")
    return redirect(_list_url(packet))
