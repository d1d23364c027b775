"""(D) What the packet page shows of the packet's exports: the owner's recent exports of it
(any format) and the request buttons. A reader (facilitator) sees nothing of this part."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from files.exports import exports_for
from files.models import Export
from packets.models import Packet
from packets.permissions import is_owner

RECENT = 5
FORMAT_LABELS = {"pdf": "PDF", "docx": "Word (DOCX)", "zip": "ZIP (Markdown and files)"}
FORMAT_CHOICES = list(FORMAT_LABELS.items())


def packet_exports_query(packet: Packet, owner: Any) -> QuerySet[Export]:
    """The owner's unexpired exports of ``packet``, newest first."""
    return exports_for(owner, subject=str(packet.pk)).filter(kind__startswith="packets.")


def packet_exports(packet: Packet, owner: Any, limit: int = RECENT) -> list[Export]:
    """The most recent of them (one query)."""
    return list(packet_exports_query(packet, owner)[:limit])


def exports_context(packet: Packet, viewer: Any) -> dict[str, Any]:
    """Template context for the packet page's exports part."""
    if not is_owner(viewer, packet):
        return {"exports_shown": False}
    return {
        "exports_shown": True,
        "packet_exports": packet_exports(packet, viewer),
        "export_formats": list(FORMAT_LABELS.items()),
        "export_ttl_hours": int(getattr(settings, "EXPORT_TTL_HOURS", 72)),
    }
