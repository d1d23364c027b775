"""(B) What the packet page shows of the packet's readiness."""

from __future__ import annotations

from typing import Any

from packets.models import Packet


def readiness_context(packet: Packet, viewer: Any) -> dict[str, Any]:
    """Template context for the packet page's readiness part."""
    return {}
