"""(D) Requesting a packet export from the packet page (the owner's buttons)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from core.errors import ServiceError
from packets.permissions import access_packet
from packets.services.exports import packet_export_request


@login_required
@require_POST
def export_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Start an export and follow it on its status page (which refreshes itself without
    JavaScript); a refusal goes back to the packet with the reason."""
    packet = access_packet(request.user, packet_id=pk, need="edit")
    try:
        export = packet_export_request(
            packet=packet, by=request.user, fmt=request.POST.get("format", "")
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect(f"{packet.get_absolute_url()}#exports")
    back = urlencode({"next": packet.get_absolute_url()})
    return redirect(f"{reverse('files:export', args=[export.pk])}?{back}")
