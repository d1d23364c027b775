"""Helpers of the partner letter tests (lane C)."""

from __future__ import annotations

import re
from typing import Any

from django.core import mail

from packets.models import LetterRequest, Packet
from packets.services.letters import letter_request_create

LINK = re.compile(r"https?://\S+/letters/([A-Za-z0-9_-]+)/")


def ask(packet: Packet, *, capture: Any, **fields: Any) -> tuple[LetterRequest, str]:
    """A request from the packet's owner, its e-mail sent (commit callbacks run)."""
    fields.setdefault("partner_name", "Ana Ruiz")
    fields.setdefault("partner_email", "ana@coop.example.net")
    fields.setdefault("message", "Could you speak to our food access project?")
    with capture(execute=True):
        return letter_request_create(packet=packet, by=packet.owner, **fields)


def link_in_mail(to: str) -> str:
    """The token of the last request mailed to ``to``."""
    (message,) = [m for m in mail.outbox if m.to == [to]][-1:]
    found = LINK.search(message.body)
    assert found, message.body
    return found.group(1)
