"""(B) Readiness on a fixture with known gaps: which checks pass and which do not, what
each says and where it sends the applicant, and the list page's summary in constant
queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import User
from cohorts.models import EnrollmentPeriod
from journals.models import Entry, SelfAssessment
from journals.services import RatingInput, self_assessment_take
from packets.models import LetterRequest, Packet
from packets.selectors.readiness import readiness_context, readiness_for, readiness_summary
from packets.services.artifacts import artifact_add
from packets.services.development import DevelopmentInput, development_add
from tests.packets.pparts_support import cite, words

pytestmark = pytest.mark.django_db


@pytest.fixture
def gappy(packet: Packet, member: User, write: Callable[..., Entry]) -> Packet:
    """The partnerships packet with known gaps: sections at 0, 100, 200, 1200 words (the
    four framing questions: limit 1000), 300 (context: limit 600) and 700 (closing: limit
    600); two artifacts showing PAR-1, one PAR-2, none of PAR-3..5; no self-assessment,
    no letter, no development list."""
    words(packet, [0, 100, 200, 1200, 300, 700])
    for code in ("PAR-1", "PAR-1", "PAR-2"):
        entry = write(title=f"About {code}")
        artifact_add(packet=packet, by=member, evidence=cite(entry, member, competency=code))
    return packet


def by_key(packet: Packet) -> dict[str, Any]:
    return {c.key: c for c in readiness_for(packet)}


def received_letter(packet: Packet) -> LetterRequest:
    return LetterRequest.objects.create(
        packet=packet,
        partner_name="Pat Partner",
        partner_email="pat@example.org",
        message="Would you write about our work together?",
        token_hash="a" * 64,
        expires_at=timezone.now() + dt.timedelta(days=30),
        received_at=timezone.now(),
        letter_text="Mei listens first.",
    )


def test_known_gaps_are_the_checks_that_fail(gappy: Packet) -> None:
    checks = readiness_for(gappy)
    sections = list(gappy.sections.order_by("order", "pk"))
    assert [c.key for c in checks] == [
        *(f"section-{s.pk}" for s in sections),
        "artifacts-PAR-1",
        "artifacts-PAR-2",
        "artifacts-PAR-3",
        "artifacts-PAR-4",
        "artifacts-PAR-5",
        "self-assessment",
        "letter",
        "development",
    ]
    assert [c.ok for c in checks] == [
        False,  # not started
        False,  # 100 < 150
        True,  # 200
        False,  # 1200 > 1000
        True,  # context 300 <= 600
        False,  # closing 700 > 600
        True,  # PAR-1: 2 of 2
        False,  # PAR-2: 1 of 2
        False,
        False,
        False,
        False,  # no self-assessment
        False,  # no letter
        False,  # empty list
    ]
    details = [c.detail for c in checks]
    assert details[:6] == [
        "Not started",
        "100 words; at least 150 words asked",
        "200 words of at most 1,000",
        "1,200 words; 200 over the limit of 1,000",
        "300 words of at most 600",
        "700 words; 100 over the limit of 600",
    ]
    assert details[6:8] == ["2 of 2", "1 of 2"]
    assert details[-3:] == ["Not taken yet", "Not received yet", "Empty"]
    summary = readiness_summary([gappy])[gappy.pk]
    assert (summary.done, summary.total, summary.ready) == (3, 14, False)


def test_each_check_links_to_where_it_is_fixed(gappy: Packet) -> None:
    checks = by_key(gappy)
    assert checks["artifacts-PAR-2"].fix_url == (
        f"/journal/packets/{gappy.pk}/artifacts/?competency=PAR-2"
    )
    assert checks["self-assessment"].fix_url == "/journal/self-assessment/take/?area=partnerships"
    assert checks["letter"].fix_url == f"/journal/packets/{gappy.pk}/#letters"
    assert checks["development"].fix_url == f"/journal/packets/{gappy.pk}/development/"
    first = gappy.sections.order_by("order", "pk").first()
    assert checks[f"section-{first.pk}"].fix_url.startswith(f"/journal/packets/{gappy.pk}/")


def test_filling_the_gaps_makes_every_check_pass(
    gappy: Packet, member: User, partnerships: Any, write: Callable[..., Entry]
) -> None:
    words(gappy, [150, 150, 200, 1000, 300, 600])
    for code in ("PAR-2", "PAR-3", "PAR-3", "PAR-4", "PAR-4", "PAR-5", "PAR-5"):
        entry = write(title=f"More {code}")
        artifact_add(packet=gappy, by=member, evidence=cite(entry, member, competency=code))
    self_assessment_take(
        user=member,
        area=partnerships,
        ratings=[RatingInput(c, 1) for c in partnerships.competencies.all()],
    )
    received_letter(gappy)
    development_add(packet=gappy, by=member, data=DevelopmentInput(title="Conference talk"))
    assert all(c.ok for c in readiness_for(gappy)), [
        (c.key, c.detail) for c in readiness_for(gappy) if not c.ok
    ]
    assert readiness_summary([gappy])[gappy.pk].ready


def test_a_pending_letter_is_not_a_received_one_and_a_left_out_line_is_not_a_list(
    gappy: Packet, member: User
) -> None:
    letter = received_letter(gappy)
    LetterRequest.objects.filter(pk=letter.pk).update(received_at=None)
    item = development_add(
        packet=gappy, by=member, data=DevelopmentInput(title="Left out", included=False)
    )
    checks = by_key(gappy)
    assert not checks["letter"].ok and not checks["development"].ok
    item.included = True
    item.save(update_fields=["included"])
    assert by_key(gappy)["development"].ok


def test_the_chosen_sitting_or_any_sitting_of_the_area_counts_as_the_self_assessment(
    gappy: Packet, member: User, make_packet: Callable[..., Packet], framework: Any
) -> None:
    fundamentals = framework.areas.get(slug="fundamentals")
    other = self_assessment_take(
        user=member,
        area=fundamentals,
        ratings=[RatingInput(c, 0) for c in fundamentals.competencies.all()],
    )
    assert not by_key(gappy)["self-assessment"].ok  # another area's sitting is not this one
    Packet.objects.filter(pk=gappy.pk).update(assessment=other)
    gappy.refresh_from_db()
    assert by_key(gappy)["self-assessment"].ok


def test_an_area_without_a_letter_or_artifacts_part_asks_for_neither(
    member: User, make_packet: Callable[..., Packet], framework: Any
) -> None:
    fundamentals = make_packet(member, area=framework.areas.get(slug="fundamentals"))
    keys = [c.key for c in readiness_for(fundamentals)]
    assert "letter" not in keys
    # "presentation-or-annotated-materials": one artifact per key competency (FUN-1..10).
    assert sum(1 for k in keys if k.startswith("artifacts-")) == 10
    assert by_key(fundamentals)["artifacts-FUN-1"].label.startswith("1 artifact showing FUN-1")


def test_readiness_context_counts_done_and_total(gappy: Packet, member: User) -> None:
    context = readiness_context(gappy, member)
    assert (context["readiness_done"], context["readiness_total"]) == (3, 14)


def test_readiness_summary_takes_the_same_queries_for_3_and_30_packets(
    member: User,
    make_packet: Callable[..., Packet],
    write: Callable[..., Entry],
    django_assert_max_num_queries: Any,
) -> None:
    entry = write(title="Shared evidence")
    made: list[Packet] = []
    counts = []
    for n in (3, 30):
        while len(made) < n:
            i = len(made)
            period = EnrollmentPeriod.objects.create(
                slug=f"p-{i}", name=f"Period {i}", opens_on=dt.date(2032, 1, 1),
                closes_on=dt.date(2032, 2, 1),
            )  # fmt: skip
            packet = make_packet(member, period=period)
            words(packet, [200])
            artifact_add(packet=packet, by=member, evidence=cite(entry, member, competency="PAR-1"))
            development_add(packet=packet, by=member, data=DevelopmentInput(title="Talk"))
            received_letter_for = LetterRequest(
                packet=packet, partner_name="P", partner_email="p@example.org", message="m",
                token_hash=f"{i:064d}", expires_at=timezone.now(), received_at=timezone.now(),
            )  # fmt: skip
            received_letter_for.save()
            made.append(packet)
        packets = list(Packet.objects.filter(pk__in=[p.pk for p in made]))
        with django_assert_max_num_queries(7) as captured:
            summary = readiness_summary(packets)
        assert len(summary) == n
        # section 1, the letter and the development list pass in each; not PAR-1 (1 of 2).
        assert {(s.done, s.total) for s in summary.values()} == {(3, 14)}
        counts.append(len(captured))
    assert counts[0] == counts[1]
    assert not SelfAssessment.objects.exists()
