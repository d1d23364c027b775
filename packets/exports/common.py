"""What every packet builder shares: the packet of an export, checked again at build time."""

from __future__ import annotations

from core.errors import ServiceError
from files.models import Export
from packets.models import Packet

FORMATS = {"pdf": "PDF", "docx": "Word (DOCX)", "zip": "ZIP of Markdown and files"}


def kind_for(fmt: str) -> str:
    return f"packets.{fmt}"


def packet_of(export: Export) -> Packet:
    """The export's packet if it still exists and is still the export's owner's."""
    try:
        pk = int(export.subject)
    except ValueError:
        pk = 0
    packet = Packet.objects.filter(pk=pk, owner_id=export.owner_id).first()
    if packet is None:
        raise ServiceError("This packet no longer exists.", code="not_found")
    return packet
