"""Download rules for the files packets keep (registered with the upload module)."""

from __future__ import annotations

from typing import Any

from packets.models import LetterRequest
from packets.permissions import can_view_packet


def may_download_letter(user: Any, stored: Any) -> bool:
    """A partner's uploaded letter: whoever may read the packet it was sent for."""
    letter = LetterRequest.objects.select_related("packet").filter(letter_file=stored).first()
    return letter is not None and can_view_packet(user, letter.packet)
