"""(B) The professional development list, on a fixture with known attendance: assembled
from cohorts attended and trainings completed, edits kept across refreshes, never a line
twice; manual lines added, edited, reordered and removed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from accounts.models import User
from cohorts.models import Cohort
from cohorts.services import attendance_record, session_cancel
from packets.models import DevelopmentItem, Packet
from packets.selectors.development import development_context, included_counts
from packets.services.common import PacketError
from packets.services.development import (
    DevelopmentInput,
    development_add,
    development_move,
    development_refresh,
    development_remove,
    development_update,
)
from tests.packets.pparts_support import approved_training, completed, held, joined_long_ago

pytestmark = pytest.mark.django_db

P, A = "present", "absent"


@pytest.fixture
def training(provider: User, reviewer: User, framework: Any) -> Any:
    return approved_training(provider, reviewer)


@pytest.fixture
def attended(home: Cohort, facilitator: User, member: User, member2: User) -> Cohort:
    """``home`` with three sessions held (member: present, present, absent), one cancelled
    (member marked present before it was called off) and one still to come."""
    joined_long_ago(home, member)
    held(home, facilitator, {member.pk: P, member2.pk: P}, days=-30)
    held(home, facilitator, {member.pk: P}, days=-20)
    held(home, facilitator, {member.pk: A, member2.pk: P}, days=-10)
    cancelled = held(home, facilitator, {member.pk: P}, days=-5)
    session_cancel(session=cancelled, by=facilitator, reason="Snow")
    held(home, facilitator, days=7)  # to come: neither held nor expected yet
    Cohort.objects.filter(pk=home.pk).update(host_institution="Tove College")
    home.refresh_from_db()
    return home


def lines(packet: Packet) -> list[tuple[str, str, str]]:
    return list(
        DevelopmentItem.objects.filter(packet=packet)
        .order_by("order", "pk")
        .values_list("source", "title", "detail")
    )


def test_a_cohort_attended_reads_its_name_host_term_and_sessions_attended_of_held(
    packet: Packet, attended: Cohort
) -> None:
    items = development_refresh(packet=packet)
    assert len(items) == 1
    line = items[0]
    assert (line.source, line.cohort_id, line.title) == ("cohort", attended.pk, attended.title)
    assert line.organiser == "Tove College"
    assert (line.started_on, line.ended_on) == (attended.term_start, attended.term_end)
    assert line.detail == "2 of 3 sessions attended"
    assert line.included and not line.edited


def test_sessions_over_before_someone_joined_are_not_counted_against_them(
    make_packet: Callable[..., Packet], attended: Cohort, member2: User
) -> None:
    # member2 took their place today: the three sessions held before count only where
    # attendance was recorded as present (two of them).
    items = development_refresh(packet=make_packet(member2))
    assert [i.detail for i in items] == ["2 of 2 sessions attended"]


def test_a_facilitator_lists_the_cohort_they_facilitated(
    make_packet: Callable[..., Packet], attended: Cohort, facilitator: User
) -> None:
    items = development_refresh(packet=make_packet(facilitator))
    assert [(i.title, i.detail) for i in items] == [
        (attended.title, "Facilitated; 3 sessions held")
    ]


def test_a_cohort_that_never_met_is_not_listed(
    packet: Packet, member: User, make_cohort: Callable[..., Cohort], facilitator: User
) -> None:
    make_cohort(by=member, title="My draft", state=Cohort.State.DRAFT)
    assert development_refresh(packet=packet) == []


def test_a_training_completed_reads_its_title_provider_date_and_hours(
    packet: Packet, member: User, training: Any
) -> None:
    completion = completed(member, training)
    items = development_refresh(packet=packet)
    assert [(i.source, i.completion_id) for i in items] == [("training", completion.pk)]
    line = items[0]
    assert (line.title, line.organiser) == (training.title, "Tove Institute")
    assert (line.started_on, line.ended_on) == (None, completion.completed_on)
    assert line.detail == "12 hours"


def test_refreshing_again_never_duplicates_and_follows_new_attendance(
    packet: Packet, attended: Cohort, member: User, facilitator: User, training: Any
) -> None:
    completed(member, training)
    development_refresh(packet=packet)
    development_refresh(packet=packet)
    assert len(lines(packet)) == 2
    held(attended, facilitator, {member.pk: P}, days=-2)
    development_refresh(packet=packet)
    assert lines(packet)[0] == ("cohort", attended.title, "3 of 4 sessions attended")
    assert len(lines(packet)) == 2


def test_an_edited_line_keeps_the_applicants_words_through_a_refresh(
    packet: Packet, attended: Cohort, member: User, facilitator: User
) -> None:
    [line] = development_refresh(packet=packet)
    development_update(
        item=line,
        by=member,
        data=DevelopmentInput(
            title="Community of practice: reciprocal partnerships",
            organiser="Tove College",
            started_on=line.started_on,
            ended_on=line.ended_on,
            detail="Attended 2 of 3; presented a case",
        ),
    )
    line.refresh_from_db()
    assert line.edited
    session = held(attended, facilitator, days=-2)
    attendance_record(session=session, by=facilitator, statuses={member.pk: P})
    development_refresh(packet=packet)
    assert lines(packet) == [
        (
            "cohort",
            "Community of practice: reciprocal partnerships",
            "Attended 2 of 3; presented a case",
        )
    ]


def test_leaving_a_line_out_is_not_an_edit(packet: Packet, attended: Cohort, member: User) -> None:
    [line] = development_refresh(packet=packet)
    development_update(
        item=line,
        by=member,
        data=DevelopmentInput(
            title=line.title,
            organiser=line.organiser,
            started_on=line.started_on,
            ended_on=line.ended_on,
            detail=line.detail,
            included=False,
        ),
    )
    line.refresh_from_db()
    assert not line.included and not line.edited
    assert development_context(packet, member)["development"] == []
    assert development_context(packet, member)["development_left_out"] == 1


def test_a_line_whose_source_is_gone_leaves_unless_edited(
    packet: Packet, member: User, training: Any
) -> None:
    from trainings.services import completion_delete

    completion = completed(member, training)
    development_refresh(packet=packet)
    completion_delete(user=member, completion=completion)
    assert development_refresh(packet=packet) == []


def test_manual_lines_are_added_edited_reordered_and_removed(
    packet: Packet, attended: Cohort, member: User
) -> None:
    development_refresh(packet=packet)
    talk = development_add(
        packet=packet,
        by=member,
        data=DevelopmentInput(
            title="Conference talk", organiser="IARSLCE", started_on=dt.date(2030, 10, 1)
        ),
    )
    assert lines(packet)[-1] == ("manual", "Conference talk", "")
    development_move(item=talk, by=member, offset=-1)
    assert [t for _, t, _ in lines(packet)] == ["Conference talk", attended.title]
    development_update(
        item=talk, by=member, data=DevelopmentInput(title="Keynote", detail="45 min")
    )
    development_refresh(packet=packet)
    assert lines(packet) == [
        ("manual", "Keynote", "45 min"),
        ("cohort", attended.title, "2 of 3 sessions attended"),
    ]
    development_remove(item=talk, by=member)
    assert [s for s, _, _ in lines(packet)] == ["cohort"]


def test_an_assembled_line_cannot_be_removed_only_left_out(
    packet: Packet, attended: Cohort, member: User
) -> None:
    [line] = development_refresh(packet=packet)
    with pytest.raises(PacketError) as refused:
        development_remove(item=line, by=member)
    assert "Include" in refused.value.message
    assert DevelopmentItem.objects.filter(pk=line.pk).exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (DevelopmentInput(title="  "), "title"),
        (DevelopmentInput(title="x" * 201), "title"),
        (
            DevelopmentInput(
                title="Backwards", started_on=dt.date(2031, 5, 2), ended_on=dt.date(2031, 5, 1)
            ),
            "ended_on",
        ),
    ],
)
def test_bad_lines_are_refused_with_the_field_named(
    packet: Packet, member: User, data: DevelopmentInput, field: str
) -> None:
    with pytest.raises(PacketError) as refused:
        development_add(packet=packet, by=member, data=data)
    assert refused.value.field == field
    assert not DevelopmentItem.objects.filter(packet=packet).exists()


def test_only_the_owner_changes_the_list(
    packet: Packet, attended: Cohort, member: User, facilitator: User
) -> None:
    with pytest.raises(PacketError):
        development_refresh(packet=packet, by=facilitator)
    [line] = development_refresh(packet=packet, by=member)
    with pytest.raises(PacketError) as refused:
        development_update(item=line, by=facilitator, data=DevelopmentInput(title="Mine now"))
    assert refused.value.code == "not_found"
    with pytest.raises(PacketError):
        development_add(packet=packet, by=facilitator, data=DevelopmentInput(title="Extra"))
    assert lines(packet) == [("cohort", attended.title, "2 of 3 sessions attended")]


def test_refresh_takes_the_same_queries_for_3_and_30_sources(
    packet: Packet,
    member: User,
    facilitator: User,
    make_cohort: Callable[..., Cohort],
    seat: Callable[..., Any],
    django_assert_max_num_queries: Any,
    settings: Any,
) -> None:
    settings.COHORT_PROPOSALS_PER_DAY = 100
    counts = []
    made = 0
    for n in (3, 30):
        while made < n:
            cohort = make_cohort(by=facilitator, title=f"Circle {made}", capacity=12)
            seat(cohort, member)
            joined_long_ago(cohort, member)
            held(cohort, facilitator, {member.pk: P}, days=-3)
            made += 1
        DevelopmentItem.objects.filter(packet=packet).delete()
        with django_assert_max_num_queries(14) as created:
            items = development_refresh(packet=packet)  # every line new
        assert len(items) == n
        DevelopmentItem.objects.filter(packet=packet).update(detail="old")
        with django_assert_max_num_queries(14) as updated:
            items = development_refresh(packet=packet)  # every line brought up to date
        assert len(items) == n
        assert all(i.detail == "1 of 1 session attended" for i in items)
        counts.append((len(created), len(updated)))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(1):
        assert included_counts([packet.pk]) == {packet.pk: 30}


def test_hours_read_naturally() -> None:
    from packets.services.development import _hours

    assert (_hours(Decimal("12.0")), _hours(Decimal("1.0")), _hours(Decimal("2.5"))) == (
        "12 hours",
        "1 hour",
        "2.5 hours",
    )
