from __future__ import annotations

from typing import Any

import pytest

from packets.models import Packet, Section
from packets.services.common import PacketError
from packets.services.packets import packet_create

pytestmark = pytest.mark.django_db


def test_partnerships_packet_has_a_section_per_framing_question_and_the_areas_written_parts(
    packet: Packet,
) -> None:
    kinds = list(packet.sections.values_list("kind", "title"))
    assert kinds == [
        ("framing", "Knowledge and critical commitments"),
        ("framing", "Experience and evidence"),
        ("framing", "Critical self-reflection"),
        ("framing", "Growth and ongoing development"),
        (Section.Kind.CONTEXT, "Institutional context"),
        (Section.Kind.CLOSING, "Closing narrative"),
    ]


def test_one_packet_per_person_area_and_period(packet: Packet, enrollment_period: Any) -> None:
    with pytest.raises(PacketError) as refused:
        packet_create(owner=packet.owner, area=packet.area, period=enrollment_period)
    assert refused.value.code == "conflict"
    assert Packet.objects.count() == 1
