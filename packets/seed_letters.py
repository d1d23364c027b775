"""(C) The partner letter's part of ``seed_demo``: ``member@example.org``'s partnerships
packet has a letter requested from a community partner and not yet received, so the
readiness checklist shows the gap.

It runs after the packet's own seeder (registered before it, in the same app) and adds
nothing when that packet does not exist. The request is made directly, not mailed: nobody
holds its link (only a hash of a random token is stored). Idempotent: a packet that has a
request already gets no other.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.utils import timezone

from core.registry import SeedRun
from packets.models import LetterRequest, Packet
from packets.requirements import requirements_for
from packets.services.letters import token_hash

DEMO_OWNER = "member@example.org"
DEMO_AREA = "partnerships"


def seed_demo(run: SeedRun) -> None:
    packet = (
        Packet.objects.select_related("area")
        .filter(owner__email__iexact=DEMO_OWNER, area__slug=DEMO_AREA)
        .order_by("pk")
        .first()
    )
    if packet is None:
        run.write("packets.letters: no partnerships packet for the demo member; no letter.")
        return
    if LetterRequest.objects.filter(packet=packet).exists():
        return
    days = requirements_for(packet.area).letter_link_days
    now = timezone.now()
    LetterRequest.objects.create(
        packet=packet,
        partner_name="Rosa Delgado",
        partner_email="rosa.delgado@eastside-coop.example.org",
        message=(
            "Could you write about the food access project we planned together this spring: "
            "how the co-op's members shaped the plan, and what changed because of it?"
        ),
        token_hash=token_hash(secrets.token_urlsafe(32)),
        expires_at=now + timedelta(days=days),
    )
    run.write("packets.letters: a pending partner letter request on the demo packet.")
