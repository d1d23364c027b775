"""(B) The demo packet's artifacts and professional development list: Mei picked four
pieces of her journal's evidence on partnerships competencies (two for PAR-3, one each for
PAR-1 and PAR-5, so PAR-2 and PAR-4 stay short of the area's two per key competency), and
the list is assembled from the cohort she attends and the training she completed.
Idempotent: a packet that already has artifacts is left alone."""

from __future__ import annotations

from django.db import transaction

from core.registry import SeedRun
from journals.models import Evidence
from packets.models import Packet
from packets.services.artifacts import artifact_add
from packets.services.development import development_refresh

DEMO_OWNER = "member@example.org"
DEMO_AREA = "partnerships"
PICKS = 4


def seed_demo(run: SeedRun) -> None:
    packet = (
        Packet.objects.select_related("area", "owner")
        .filter(owner__email__iexact=DEMO_OWNER, area__slug=DEMO_AREA)
        .order_by("pk")
        .first()
    )
    if packet is None or packet.artifacts.exists():
        return
    owner = packet.owner
    evidence = list(
        Evidence.objects.filter(
            entry__author=owner,
            entry__deleted_at__isnull=True,
            competency__area_id=packet.area_id,
        )
        .exclude(annotation="")
        .order_by("competency__order", "entry__written_on", "pk")
    )
    chosen: list[Evidence] = []
    per_code: dict[int, int] = {}
    for item in evidence:
        assert item.competency_id is not None
        if per_code.get(item.competency_id, 0) >= 2:
            continue
        per_code[item.competency_id] = per_code.get(item.competency_id, 0) + 1
        chosen.append(item)
        if len(chosen) == PICKS:
            break
    with transaction.atomic():
        for item in chosen:
            artifact_add(packet=packet, by=owner, evidence=item)
        lines = development_refresh(packet=packet, by=owner)
    run.write(
        f"packets.parts: {len(chosen)} artifacts and {len(lines)} development lines "
        "on the demo packet."
    )
