"""(D) Requesting an export of a packet (PDF, DOCX or ZIP) for its owner."""

from __future__ import annotations

from typing import Any

from files.exports import export_request
from files.models import Export
from packets.exports.common import FORMATS, kind_for
from packets.models import Packet
from packets.permissions import can_edit_packet
from packets.services.common import PacketError


def packet_export_request(*, packet: Packet, by: Any, fmt: str) -> Export:
    """A waiting export of ``packet`` in ``fmt`` ("pdf", "docx" or "zip"), built in the
    background. Only the owner exports their packet; too many on the way is refused."""
    if not can_edit_packet(by, packet):
        raise PacketError("Only the packet's owner can export it.", code="forbidden")
    if fmt not in FORMATS:
        choices = ", ".join(FORMATS)
        raise PacketError(f"Choose a format: {choices}.", code="invalid", field="format")
    label = f"{packet.area.name} packet ({fmt.upper()})"
    return export_request(owner=by, kind=kind_for(fmt), subject=str(packet.pk), label=label)
