"""(A) The packet list and the packet page. Each part of the packet page (artifacts,
development list, readiness, letters, exports) gets its context from its own selector."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from packets.permissions import access_packet, can_edit_packet
from packets.selectors.artifacts import artifacts_context
from packets.selectors.development import development_context
from packets.selectors.exports import exports_context
from packets.selectors.letters import letters_context
from packets.selectors.readiness import readiness_context

PARTS = (
    readiness_context,
    artifacts_context,
    development_context,
    letters_context,
    exports_context,
)


def part_contexts(packet: Any, viewer: Any) -> dict[str, Any]:
    context: dict[str, Any] = {}
    for part in PARTS:
        context.update(part(packet, viewer))
    return context


@login_required
@require_GET
def packet(request: HttpRequest, pk: int) -> HttpResponse:
    found = access_packet(request.user, packet_id=pk)
    context = {"packet": found, "is_owner": can_edit_packet(request.user, found)}
    context.update(part_contexts(found, request.user))
    return render(request, "packets/packet.html", context)
