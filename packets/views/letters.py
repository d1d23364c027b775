"""(C) The owner's side of partner letters: ask for one, revoke a pending request.

Both pages fetch the packet through ``access_packet(need="edit")``: the same 404 for a
packet that does not exist and one that is not the viewer's."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import not_found, status_for
from packets.forms_letters import LetterRequestForm
from packets.models import LetterRequest
from packets.permissions import access_packet
from packets.requirements import requirements_for
from packets.services.common import PacketError
from packets.services.letters import (
    letter_request_create,
    letter_request_resend,
    letter_request_revoke,
)


def _back(packet: object) -> str:
    return packet.get_absolute_url() + "#letters"  # type: ignore[attr-defined]


@login_required
@require_http_methods(["GET", "POST"])
def letter_request(request: HttpRequest, pk: int) -> HttpResponse:
    packet = access_packet(request.user, packet_id=pk, need="edit")
    if not requirements_for(packet.area).wants_letter:
        raise not_found()
    form = LetterRequestForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                letter, _ = letter_request_create(
                    packet=packet, by=request.user, **form.cleaned_data
                )
            except PacketError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                status = status_for(exc.code)
            else:
                messages.success(
                    request,
                    f"Your request is on its way to {letter.partner_name}. The link works "
                    f"until {letter.expires_at:%d %B %Y}.",
                )
                return redirect(_back(packet))
        else:
            status = 400
    return render(
        request,
        "packets/letter_request.html",
        {"packet": packet, "form": form, "days": requirements_for(packet.area).letter_link_days},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def letter_revoke(request: HttpRequest, pk: int, letter_id: int) -> HttpResponse:
    packet = access_packet(request.user, packet_id=pk, need="edit")
    letter = LetterRequest.objects.filter(pk=letter_id, packet=packet).first()
    if letter is None:
        raise not_found()
    letter.packet = packet
    if letter.state != "pending":
        messages.info(request, "This request is no longer waiting for an answer.")
        return redirect(_back(packet))
    if request.method == "POST":
        try:
            letter_request_revoke(letter=letter, by=request.user)
        except PacketError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"The link sent to {letter.partner_name} no longer works.")
        return redirect(_back(packet))
    return render(request, "packets/letter_revoke.html", {"packet": packet, "letter": letter})


@login_required
@require_POST
def letter_resend(request: HttpRequest, pk: int, letter_id: int) -> HttpResponse:
    """A new link for a request still waiting or expired (the old link stops working)."""
    packet = access_packet(request.user, packet_id=pk, need="edit")
    letter = LetterRequest.objects.filter(pk=letter_id, packet=packet).first()
    if letter is None:
        raise not_found()
    letter.packet = packet
    try:
        new, _ = letter_request_resend(letter=letter, by=request.user)
    except PacketError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"A new link is on its way to {new.partner_name}; the earlier one no longer works.",
        )
    return redirect(_back(packet))
