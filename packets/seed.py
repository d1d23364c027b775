"""(A) The demo packet: ``member@example.org`` (Mei) has started her Community Partnerships
application for the next application window, with two of its sections drafted (one quoting
a passage of her journal). The other parts (artifacts, development list, the partner
letter requested) are added by their own seeders, which run after this one
(``after=("packets",)``). Idempotent: once Mei has the packet, nothing is added."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from cohorts.models import EnrollmentPeriod
from competencies.models import Area
from core.registry import SeedRun
from journals.models import Entry
from packets.models import Packet
from packets.services.packets import packet_create
from packets.services.sections import paragraphs, section_quote_entry, section_update

MEMBER = "member@example.org"
AREA = "partnerships"

DRAFTS = (
    "I came to community partnerships through a food bank that had worked with our campus "
    "for years without ever being asked what it needed. My commitment now is to begin "
    "with the partner's questions, not ours, and to treat the knowledge of staff and "
    "neighbours as expertise in its own right.\n\n"
    "Reading about reciprocity helped me name what was missing: shared decisions, shared "
    "credit, and a way for partners to say no.",
    "This spring our cohort practised one habit: ask before planning. At the food bank, "
    "that meant a listening session before any student arrived, and a partner-led agenda "
    "for the semester.",
)


def demo_packet() -> Packet | None:
    """Mei's half-done partnerships packet, made once."""
    member = User.objects.filter(email=MEMBER).first()
    area = Area.objects.filter(slug=AREA, framework__is_default=True).first()
    if member is None or area is None:
        return None
    if Packet.objects.filter(owner=member, area=area).exists():
        return None
    soon = timezone.localdate() + timedelta(days=14)
    period = EnrollmentPeriod.objects.filter(closes_on__gte=soon).order_by("opens_on").first()
    with transaction.atomic():
        packet = packet_create(owner=member, area=area, period=period)
        sections = list(packet.sections.filter(kind="framing").order_by("order")[: len(DRAFTS)])
        for section, text in zip(sections, DRAFTS, strict=False):
            section_update(section=section, by=member, body=text, version=section.version)
        entry = _quotable(member)
        if entry is not None and len(sections) > 1:
            section_quote_entry(section=sections[1], by=member, entry=entry, paragraph=0)
    return packet


def _quotable(member: Any) -> Entry | None:
    for entry in Entry.objects.filter(author=member, deleted_at__isnull=True).order_by("pk"):
        if paragraphs(entry.body):
            return entry
    return None


def seed_demo(run: SeedRun) -> None:
    made = demo_packet()
    if made is None:
        run.write("Demo packets: already there (or no demo member).")
    else:
        run.write("Demo packets: member@example.org's partnerships packet, two sections drafted.")
