"""(C) What the packet page shows of the packet's letters.

The owner sees every request (whom they asked, its state, revoke for a pending one) and the
letters received. A reader (a facilitator the packet is shared with) sees the letters that
arrived, with the partner's name and signature, never the partner's e-mail address or the
requests still open.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from packets.models import LetterRequest, Packet
from packets.permissions import can_edit_packet, can_view_packet
from packets.requirements import requirements_for


def letters_of(packet: Packet, *, received_only: bool = False) -> QuerySet[LetterRequest]:
    rows = LetterRequest.objects.filter(packet=packet).select_related("letter_file")
    if received_only:
        rows = rows.filter(received_at__isnull=False)
    return rows.order_by("-created_at", "-pk")


def letters_context(packet: Packet, viewer: Any) -> dict[str, Any]:
    """Template context for the packet page's letters part."""
    wanted = requirements_for(packet.area).wants_letter
    if not can_view_packet(viewer, packet):
        return {"letters_wanted": False, "letters": [], "letters_owner": False}
    owner = can_edit_packet(viewer, packet)
    letters = list(letters_of(packet, received_only=not owner))
    return {
        # A letter that arrived is shown even if the area stopped asking for one.
        "letters_wanted": wanted or bool(letters),
        "letters": letters,
        "letters_owner": owner,
        "letters_can_request": owner and wanted,
    }


def letter_file_ids_of(owner: Any) -> QuerySet[Any]:
    """Ids of the files partners uploaded for ``owner``'s packets. Partners have no
    account, so these files have no uploader: whoever deletes the owner's data (the account
    deletion) finds them here, not by ``uploaded_by``."""
    return (
        LetterRequest.objects.filter(packet__owner=owner, letter_file__isnull=False)
        .values_list("letter_file_id", flat=True)
        .order_by()
    )
