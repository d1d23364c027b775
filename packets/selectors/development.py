"""(B) A packet's professional development list as the packet page and its own page show it."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from packets.models import DevelopmentItem, Packet


def development_items(packet: Packet) -> QuerySet[DevelopmentItem]:
    """The list in the applicant's order (one query)."""
    return DevelopmentItem.objects.filter(packet_id=packet.pk).order_by("order", "pk")


def included_counts(packet_ids: list[int]) -> dict[int, int]:
    """``{packet_id: lines included}`` for many packets in one query (0s left out)."""
    rows = (
        DevelopmentItem.objects.filter(packet_id__in=packet_ids, included=True)
        .values("packet_id")
        .annotate(n=Count("pk", filter=Q(included=True)))
    )
    return {row["packet_id"]: row["n"] for row in rows}


def development_item_of(packet: Packet, item_id: Any) -> DevelopmentItem | None:
    try:
        pk = int(item_id)
    except (TypeError, ValueError):
        return None
    return DevelopmentItem.objects.filter(packet_id=packet.pk, pk=pk).first()


def development_context(packet: Packet, viewer: Any) -> dict[str, Any]:
    """Template context for the packet page's development part: the lines included (a
    reader sees only those; the owner's own page shows the rest)."""
    items = list(development_items(packet))
    return {
        "development": [i for i in items if i.included],
        "development_left_out": sum(1 for i in items if not i.included),
    }
