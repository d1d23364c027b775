"""Who may see and do what with application packets. Pages, the API, downloads and the
exports ask only these functions.

- A packet is its owner's: only they edit it, request letters, export it.
- Shared with the facilitators of one of the owner's cohorts, it is read (not edited) by
  the people who facilitate that cohort, who may comment. Staff and admins are not readers
  by their role.
- A partner letter is seen by the packet's owner (and its readers). The partner's link is
  not an account: it is checked by its token in ``services.letters`` and reaches nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from django.db.models import Q, QuerySet

from core.errors import not_found
from journals.permissions import facilitated_cohort_ids
from packets.models import Packet

PacketNeed = Literal["view", "edit", "comment"]


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and bool(
        getattr(user, "is_active", False)
    )


def is_owner(user: Any, packet: Packet) -> bool:
    return _signed_in(user) and packet.owner_id == user.pk


def is_reader(user: Any, packet: Packet) -> bool:
    """A facilitator of the cohort the packet is shared with (not the owner)."""
    return (
        _signed_in(user)
        and packet.shared_with_id is not None
        and packet.shared_with_id in facilitated_cohort_ids(user)
    )


def can_view_packet(user: Any, packet: Packet) -> bool:
    return is_owner(user, packet) or is_reader(user, packet)


def can_edit_packet(user: Any, packet: Packet) -> bool:
    return is_owner(user, packet)


def can_comment_packet(user: Any, packet: Packet) -> bool:
    """Feedback is written while the packet is shared: by its readers and by the owner."""
    return packet.shared_with_id is not None and can_view_packet(user, packet)


_RULES: dict[str, Callable[[Any, Packet], bool]] = {
    "view": can_view_packet,
    "edit": can_edit_packet,
    "comment": can_comment_packet,
}


def packets_visible_to(user: Any) -> QuerySet[Packet]:
    """Packets ``user`` may read: their own and those shared with a cohort they facilitate."""
    if not _signed_in(user):
        return Packet.objects.none()
    return Packet.objects.filter(Q(owner=user) | Q(shared_with_id__in=facilitated_cohort_ids(user)))


def access_packet(
    user: Any, *, packet_id: int | str, need: PacketNeed = "view", queryset: Any = None
) -> Packet:
    """The packet if ``user`` may do what ``need`` says; otherwise the same 404 whether it
    does not exist or is not theirs."""
    try:
        pk = int(packet_id)
    except (TypeError, ValueError):
        raise not_found() from None
    rows = queryset if queryset is not None else Packet.objects.select_related("owner", "area")
    packet = rows.filter(pk=pk).first()
    if packet is None or not _RULES[need](user, packet):
        raise not_found()
    return packet
