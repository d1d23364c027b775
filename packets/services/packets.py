"""Creating packets (A extends this module with the packet's own changes)."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from cohorts.models import EnrollmentPeriod
from competencies.models import Area, FramingQuestion
from packets.models import Packet, Section
from packets.requirements import requirements_for
from packets.services.common import PacketError

# Written parts beyond the essay, in the order an application presents them.
EXTRA_SECTIONS = (
    ("context", Section.Kind.CONTEXT, "Institutional context"),
    ("action_plan", Section.Kind.ACTION_PLAN, "Action plan"),
    ("closing", Section.Kind.CLOSING, "Closing narrative"),
)


def packet_create(*, owner: Any, area: Area, period: EnrollmentPeriod | None) -> Packet:
    """A packet for ``area`` and ``period`` with a section for each part the area's
    application asks for: one per framing question of the area's framework if it asks for
    a reflective essay, and the action plan, institutional context or closing narrative if
    it asks for them. One packet per person, area and period."""
    needs = requirements_for(area)
    if Packet.objects.filter(owner=owner, area=area, period=period).exists():
        raise PacketError(
            "You already have a packet for this area and enrollment period.",
            code="conflict",
            field="area",
        )
    try:
        with transaction.atomic():
            packet = Packet.objects.create(owner=owner, area=area, period=period)
            sections: list[Section] = []
            order = 0
            if needs.has_essay:
                for question in FramingQuestion.objects.filter(
                    framework_id=area.framework_id
                ).order_by("order", "pk"):
                    order += 1
                    sections.append(
                        Section(
                            packet=packet,
                            kind=Section.Kind.FRAMING,
                            framing_question=question,
                            title=question.title,
                            guidance=question.prompt,
                            order=order,
                        )
                    )
            wanted = {
                "context": needs.wants_context,
                "action_plan": needs.wants_action_plan,
                "closing": needs.wants_closing,
            }
            for key, kind, title in EXTRA_SECTIONS:
                if wanted[key]:
                    order += 1
                    sections.append(Section(packet=packet, kind=kind, title=title, order=order))
            Section.objects.bulk_create(sections)
    except IntegrityError:
        raise PacketError(
            "You already have a packet for this area and enrollment period.",
            code="conflict",
            field="area",
        ) from None
    return packet
