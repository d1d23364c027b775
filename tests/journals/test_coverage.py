"""Coverage: the numbers on a fixture with a hand-computed answer, the strength rule and
its thresholds, only the person's own (non-deleted) entries counting, and a fixed number
of queries at 10 and at 1,000 entries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from cohorts.models import Cohort
from competencies.models import Area, Competency, FramingQuestion
from journals.models import Entry, EntryCompetency, Evidence, SelfAssessment
from journals.selectors import coverage
from journals.selectors.coverage import (
    NONE,
    RECENT_DAYS,
    SOME,
    STRONG,
    STRONG_EVIDENCE,
    STRONG_ITEMS,
    STRONG_QUESTIONS,
    THIN,
    strength,
)
from journals.services import (
    EvidenceInput,
    RatingInput,
    entry_delete,
    evidence_add,
    self_assessment_take,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2031, 6, 15)


def ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


def link(entry: Entry, author: User, code: str) -> Evidence:
    return evidence_add(
        entry=entry,
        by=author,
        data=EvidenceInput(kind="url", url=f"https://example.org/{code}", competency=code),
    )


def rate(user: User, area: Area, levels: dict[str, int], *, days_ago: int) -> SelfAssessment:
    ratings = [
        RatingInput(competency=c.code, level=levels.get(c.code, 0)) for c in area.competencies.all()
    ]
    taken = self_assessment_take(user=user, area=area, ratings=ratings)
    SelfAssessment.objects.filter(pk=taken.pk).update(
        taken_at=timezone.now() - dt.timedelta(days=days_ago)
    )
    return taken


@pytest.fixture
def world(
    write: Callable[..., Entry],
    member: User,
    member2: User,
    home: Cohort,
    partnerships: Area,
) -> dict[str, Any]:
    """Member's journal, with a known answer for Community Partnerships (PAR-1..PAR-5):

    ========  =======  ======  ========  ========  ==================================
    code      entries  drafts  evidence  latest    framing questions        strength
    ========  =======  ======  ========  ========  ==================================
    PAR-1     3        1       1         -10 days  knowledge-ethics, experience,
                                                   critical-reflection      strong
    PAR-2     2        0       0         -5 days   knowledge-ethics, experience,
                                                   growth                   some
    PAR-3     0        0       1         -20 days  critical-reflection      thin (1 item)
    PAR-4     2        0       0         -400 days (none)                   thin (stale)
    PAR-5     0        0       0         -         (none)                   none
    ========  =======  ======  ========  ========  ==================================

    Not counted: member's deleted entry (PAR-5, with evidence for PAR-5) and member2's
    entry shared with the cohort (PAR-5).
    """
    e1 = write(
        title="E1", written_on=ago(10), status="final", competencies=["PAR-1", "PAR-2"],
        framing_questions=["knowledge-ethics", "experience"],
    )  # fmt: skip
    e2 = write(
        title="E2", written_on=ago(20), competencies=["PAR-1"],
        framing_questions=["critical-reflection"],
    )  # fmt: skip
    link(e2, member, "PAR-1")
    link(e2, member, "PAR-3")
    write(title="E3", written_on=ago(400), status="final", competencies=["PAR-1"])
    write(title="E4", written_on=ago(400), status="final", competencies=["PAR-4"])
    write(title="E5", written_on=ago(500), status="final", competencies=["PAR-4"])
    write(
        title="E7", written_on=ago(5), status="final", competencies=["PAR-2"],
        framing_questions=["growth"],
    )  # fmt: skip
    gone = write(title="Deleted", written_on=ago(1), competencies=["PAR-5"])
    link(gone, member, "PAR-5")
    entry_delete(entry=gone, by=member)
    write(
        member2, visibility="cohort", title="Not mine", written_on=ago(1),
        competencies=["PAR-5"], framing_questions=["growth"],
    )  # fmt: skip
    first = rate(member, partnerships, {"PAR-1": 1}, days_ago=30)
    second = rate(member, partnerships, {"PAR-1": 3, "PAR-2": 2}, days_ago=2)
    rate(member2, partnerships, {"PAR-1": 4}, days_ago=1)
    return {"e1": e1, "e2": e2, "first": first, "second": second}


def row(found: coverage.AreaCoverage, code: str) -> coverage.Cell:
    return next(c for c in found.cells if c.competency.code == code)


def test_coverage_numbers_match_the_hand_computed_answer(
    world: dict[str, Any], member: User, partnerships: Area
) -> None:
    found = coverage.coverage_for(member, partnerships, today=TODAY)
    assert [c.competency.code for c in found.cells] == [f"PAR-{n}" for n in range(1, 6)]
    table = {
        c.competency.code: (
            c.entries,
            c.drafts,
            c.evidence,
            c.latest,
            [q.slug for q in c.framing_questions],
            c.strength,
        )
        for c in found.cells
    }
    assert table == {
        "PAR-1": (
            3, 1, 1, ago(10), ["knowledge-ethics", "experience", "critical-reflection"], STRONG,
        ),
        "PAR-2": (2, 0, 0, ago(5), ["knowledge-ethics", "experience", "growth"], SOME),
        "PAR-3": (0, 0, 1, ago(20), ["critical-reflection"], THIN),
        "PAR-4": (2, 0, 0, ago(400), [], THIN),
        "PAR-5": (0, 0, 0, None, [], NONE),
    }  # fmt: skip
    assert found.counts == {STRONG: 1, SOME: 1, THIN: 2, NONE: 1}
    assert row(found, "PAR-4").stale and not row(found, "PAR-1").stale


def test_latest_self_rating_is_from_the_latest_sitting(
    world: dict[str, Any], member: User, partnerships: Area
) -> None:
    found = coverage.coverage_for(member, partnerships, today=TODAY)
    par1 = row(found, "PAR-1")
    assert (par1.rating_level, par1.rating_name) == (3, "Proficient")
    assert par1.rated_at == SelfAssessment.objects.get(pk=world["second"].pk).taken_at
    assert row(found, "PAR-3").rating_name == "Not yet"


def test_cell_texts_say_the_strength_and_what_it_rests_on(
    world: dict[str, Any], member: User, partnerships: Area
) -> None:
    found = coverage.coverage_for(member, partnerships, today=TODAY)
    assert row(found, "PAR-1").summary == "Strong — 3 entries, 1 piece of evidence"
    assert row(found, "PAR-3").summary == "Thin — 1 piece of evidence"
    assert row(found, "PAR-5").summary == "None — nothing yet"
    assert row(found, "PAR-1").entries_text == "3 entries (1 draft)"


def test_another_person_sees_only_their_own_coverage(
    world: dict[str, Any], member2: User, facilitator: User, partnerships: Area
) -> None:
    theirs = coverage.coverage_for(member2, partnerships, today=TODAY)
    assert row(theirs, "PAR-5").entries == 1
    assert row(theirs, "PAR-1").entries == 0
    assert row(theirs, "PAR-1").rating_name == "Exemplary"
    # The facilitator reads member2's shared entry, but it is not their coverage.
    fac = coverage.coverage_for(facilitator, partnerships, today=TODAY)
    assert {c.strength for c in fac.cells} == {NONE}
    assert all(c.rating_level is None for c in fac.cells)


def test_summary_counts_every_area_of_the_framework(
    world: dict[str, Any], member: User, framework: Any
) -> None:
    summary = coverage.coverage_summary(member)
    assert [s.area.slug for s in summary] == list(
        framework.areas.order_by("order").values_list("slug", flat=True)
    )
    par = next(s for s in summary if s.area.slug == "partnerships")
    # coverage_summary uses the real today: the fixture's dates are relative to 2031, so
    # everything written is "recent" and only the thresholds of counts apply.
    assert par.total == 5
    assert par.none == 1
    fundamentals = next(s for s in summary if s.area.slug == "fundamentals")
    assert (fundamentals.none, fundamentals.total) == (10, 10)


@pytest.mark.parametrize(
    ("entries", "evidence", "questions", "days_old", "expected"),
    [
        (0, 0, 0, None, NONE),
        (1, 0, 3, 0, THIN),
        (0, 1, 3, 0, THIN),
        (3, 2, 4, RECENT_DAYS + 1, THIN),  # plenty, but nothing in the last year
        (2, 0, 0, RECENT_DAYS, SOME),  # a year to the day is still recent
        (3, 0, 0, 0, SOME),
        (STRONG_ITEMS - 1 - STRONG_EVIDENCE, STRONG_EVIDENCE, STRONG_QUESTIONS, 0, SOME),
        (STRONG_ITEMS, 0, STRONG_QUESTIONS, 0, SOME),  # no evidence
        (STRONG_ITEMS - STRONG_EVIDENCE, STRONG_EVIDENCE, STRONG_QUESTIONS - 1, 0, SOME),
        (STRONG_ITEMS - STRONG_EVIDENCE, STRONG_EVIDENCE, STRONG_QUESTIONS, 0, STRONG),
        (0, STRONG_ITEMS, STRONG_QUESTIONS, 0, STRONG),
    ],
)
def test_strength_rule(
    entries: int, evidence: int, questions: int, days_old: int | None, expected: str
) -> None:
    latest = None if days_old is None else TODAY - dt.timedelta(days=days_old)
    found = strength(
        entries=entries, evidence=evidence, questions=questions, latest=latest, today=TODAY
    )
    assert found == expected


def test_thresholds_are_the_documented_ones() -> None:
    assert (RECENT_DAYS, STRONG_ITEMS, STRONG_EVIDENCE, STRONG_QUESTIONS) == (365, 4, 1, 2)


def test_cell_detail_lists_own_entries_and_evidence(world: dict[str, Any], member: User) -> None:
    par1 = Competency.objects.get(code="PAR-1", framework__is_default=True)
    detail = coverage.cell_detail(member, par1, today=TODAY)
    assert [e.title for e in detail.entries] == ["E1", "E2", "E3"]
    assert detail.entries_total == 3
    assert [ev.entry.title for ev in detail.evidence] == ["E2"]
    par3 = Competency.objects.get(code="PAR-3", framework__is_default=True)
    detail = coverage.cell_detail(member, par3, today=TODAY)
    # E2 only holds evidence for PAR-3: listed, marked as not mapped.
    assert [(e.title, e.mapping_note) for e in detail.entries] == [("E2", None)]
    assert detail.cell.strength == THIN


# --- query counts ----------------------------------------------------------------------------


def bulk_journal(author: User, count: int, *, start: int = 0) -> None:
    """``count`` entries for ``author`` written straight to the tables (speed): each
    mapped to a Partnerships competency, every third with evidence, every other one
    tagged with a framing question."""
    codes = list(Competency.objects.filter(area__slug="partnerships", framework__is_default=True))
    questions = list(FramingQuestion.objects.filter(framework__is_default=True))
    today = timezone.localdate()
    numbers = range(start, start + count)
    entries = Entry.objects.bulk_create(
        Entry(
            author=author,
            title=f"Bulk {n}",
            written_on=today - dt.timedelta(days=n % 500),
            status="final" if n % 2 else "draft",
        )
        for n in numbers
    )
    rows = list(zip(numbers, entries, strict=True))
    EntryCompetency.objects.bulk_create(
        EntryCompetency(entry=e, competency=codes[n % len(codes)]) for n, e in rows
    )
    Evidence.objects.bulk_create(
        Evidence(entry=e, kind="url", url="https://example.org", competency=codes[n % 2])
        for n, e in rows
        if n % 3 == 0
    )
    through = Entry.framing_questions.through
    through.objects.bulk_create(
        through(entry_id=e.pk, framingquestion_id=questions[n % len(questions)].pk)
        for n, e in rows
        if n % 2 == 0
    )


def queries(action: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured)


def test_queries_stay_fixed_from_10_to_1000_entries(
    member: User, partnerships: Area, framework: Any
) -> None:
    par1 = Competency.objects.get(code="PAR-1", framework=framework)
    area = Area.objects.select_related("framework").get(pk=partnerships.pk)

    def run_all() -> None:
        coverage.coverage_for(member, Area.objects.select_related("framework").get(pk=area.pk))
        coverage.coverage_summary(member)
        coverage.cell_detail(
            member, Competency.objects.select_related("area__framework").get(pk=par1.pk)
        )

    bulk_journal(member, 10)
    run_all()
    small = queries(run_all)
    bulk_journal(member, 990, start=10)
    assert Entry.objects.filter(author=member).count() == 1000
    big = queries(run_all)
    assert big == small
    found = coverage.coverage_for(member, area)
    assert sum(c.entries for c in found.cells) == 1000
    # The cell's page lists a bounded number and says how many there are.
    detail = coverage.cell_detail(member, par1)
    assert len(detail.entries) == coverage.CELL_LIMIT
    # Mapped to PAR-1 (every 5th: 200), or holding evidence for it (every 6th: 167),
    # counted once (every 30th is both: 34).
    assert detail.entries_total == 200 + 167 - 34
