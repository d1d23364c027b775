"""(B) What the packet page shows of the packet's development."""

from __future__ import annotations

from typing import Any

from packets.models import Packet


def development_context(packet: Packet, viewer: Any) -> dict[str, Any]:
    """Template context for the packet page's development part."""
    return {}
