"""The demo data's partner letter: requested on member@example.org's partnerships packet,
not received, once."""

from __future__ import annotations

import io

import pytest

from core.registry import SeedRun, seeders
from packets import seed_letters
from packets.models import LetterRequest, Packet

pytestmark = pytest.mark.django_db


def test_the_demo_packet_gets_one_pending_letter_request_however_often_it_runs(
    packet: Packet,
) -> None:
    assert packet.owner.email == "member@example.org"
    for _ in range(2):
        seed_letters.seed_demo(SeedRun(stdout=io.StringIO()))  # type: ignore[arg-type]
    (letter,) = LetterRequest.objects.filter(packet=packet)
    assert letter.state == "pending" and letter.partner_name == "Rosa Delgado"


def test_without_the_demo_packet_nothing_is_added(member: object) -> None:
    out = io.StringIO()
    seed_letters.seed_demo(SeedRun(stdout=out))  # type: ignore[arg-type]
    assert not LetterRequest.objects.exists()
    assert "no partnerships packet" in out.getvalue()


def test_the_letter_seeder_runs_after_the_journals() -> None:
    names = [s.name for s in seeders()]
    assert names.index("packets.letters") > names.index("journals")
