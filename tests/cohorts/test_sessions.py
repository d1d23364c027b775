"""Sessions, the six-session template, attendance and calendar tokens."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from django.core import mail

from accounts.models import Notification, User
from cohorts.models import Attendance, Cohort, Membership, Session
from cohorts.services import (
    CohortError,
    attendance_record,
    calendar_token_for,
    calendar_token_reset,
    membership_join,
    session_cancel,
    session_create,
    session_update,
    sessions_apply_template,
)

pytestmark = pytest.mark.django_db

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def cohort_with_members(
    cohort_in_state: Callable[..., Cohort],
    seat: Callable[..., Membership],
    people: Callable[[int], list[User]],
) -> tuple[Cohort, list[User]]:
    cohort = cohort_in_state(state=Cohort.State.ACTIVE)
    members = people(3)
    for person in members:
        seat(cohort, person)
    return cohort, members


@pytest.fixture
def session(cohort_with_members: tuple[Cohort, list[User]], facilitator: User) -> Session:
    cohort, _ = cohort_with_members
    return session_create(
        cohort=cohort,
        by=facilitator,
        title="Story sharing",
        starts_at=at(2027, 3, 2, 15),
        ends_at=at(2027, 3, 2, 16, 30),
        video_url="https://meet.example.org/story",
        agenda="- Stories\n- Principles",
    )


def notes(kind: str) -> list[Notification]:
    return list(Notification.objects.filter(kind=kind).select_related("user"))


# --- scheduling and changes -----------------------------------------------------------------


def test_scheduling_a_session_tells_the_members_in_app_but_not_the_scheduler(
    cohort_with_members: tuple[Cohort, list[User]],
    facilitator: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    cohort, members = cohort_with_members
    with django_capture_on_commit_callbacks(execute=True):
        created = session_create(
            cohort=cohort,
            by=facilitator,
            title="Opening circle",
            starts_at=at(2027, 2, 16, 15),
            ends_at=at(2027, 2, 16, 16, 30),
        )
    assert created.time_zone == cohort.time_zone
    assert created.sequence == 0
    assert {n.user for n in notes("session.scheduled")} == set(members)
    assert all(
        n.url == f"/cohorts/{cohort.slug}/sessions/{created.pk}/"
        for n in notes("session.scheduled")
    )
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"starts_at": datetime(2027, 3, 2, 15), "ends_at": datetime(2027, 3, 2, 16)},
            "Session times need a time zone.",
        ),
        (
            {"starts_at": at(2027, 3, 2, 15), "ends_at": at(2027, 3, 2, 15)},
            "A session must end after it starts.",
        ),
        (
            {"starts_at": at(2027, 3, 2, 15), "ends_at": at(2027, 3, 2, 14)},
            "A session must end after it starts.",
        ),
        (
            {"starts_at": at(2027, 3, 2, 8), "ends_at": at(2027, 3, 2, 20, 1)},
            "A session can last at most 12 hours.",
        ),
    ],
    ids=["naive", "zero-length", "ends-before-start", "too-long"],
)
def test_session_times_are_checked(
    cohort_with_members: tuple[Cohort, list[User]],
    facilitator: User,
    change: dict[str, datetime],
    message: str,
) -> None:
    cohort, _ = cohort_with_members
    with pytest.raises(CohortError) as refused:
        session_create(cohort=cohort, by=facilitator, title="Bad", **change)
    assert refused.value.message == message
    assert not Session.objects.exists()


@pytest.mark.parametrize(
    "change",
    [
        {"starts_at": at(2027, 3, 9, 15), "ends_at": at(2027, 3, 9, 16, 30)},
        {"ends_at": at(2027, 3, 2, 17)},
        {"video_url": "https://meet.example.org/new-room"},
        {"place": "Community room, 14 Elm Street"},
        {"title": "Story sharing (moved)"},
    ],
    ids=["time", "end", "video-link", "place", "title"],
)
def test_changing_time_or_place_bumps_the_sequence_and_tells_members_by_email(
    session: Session,
    cohort_with_members: tuple[Cohort, list[User]],
    facilitator: User,
    change: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    _, members = cohort_with_members
    with django_capture_on_commit_callbacks(execute=True):
        updated = session_update(session=session, by=facilitator, **change)
    updated.refresh_from_db()
    assert updated.sequence == 1
    for field, value in change.items():
        assert getattr(updated, field) == value
    assert {n.user for n in notes("session.changed")} == set(members)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in members)


def test_editing_only_agenda_or_notes_neither_bumps_the_sequence_nor_notifies(
    session: Session, facilitator: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        updated = session_update(
            session=session, by=facilitator, agenda="- New agenda", notes="We met; it went well."
        )
        # Saving the same values again is not a change either.
        session_update(session=session, by=facilitator, starts_at=session.starts_at)
    updated.refresh_from_db()
    assert (updated.agenda, updated.notes, updated.sequence) == (
        "- New agenda",
        "We met; it went well.",
        0,
    )
    assert notes("session.changed") == []
    assert mail.outbox == []


def test_every_change_bumps_the_sequence_again(session: Session, facilitator: User) -> None:
    session_update(session=session, by=facilitator, place="Room 1")
    session_update(session=session, by=facilitator, place="Room 2")
    session.refresh_from_db()
    assert session.sequence == 2


def test_cancelling_tells_members_with_the_reason_and_freezes_the_session(
    session: Session,
    cohort_with_members: tuple[Cohort, list[User]],
    facilitator: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    _, members = cohort_with_members
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = session_cancel(session=session, by=facilitator, reason="Snow day.")
    assert cancelled.is_cancelled
    assert cancelled.sequence == 1
    assert {n.user for n in notes("session.cancelled")} == set(members)
    assert all(n.body == "Snow day." for n in notes("session.cancelled"))
    assert len(mail.outbox) == len(members)
    assert all("Snow day." in m.body for m in mail.outbox)

    # Cancelling again changes nothing and tells nobody again.
    again = session_cancel(session=session, by=facilitator)
    assert (again.sequence, len(notes("session.cancelled"))) == (1, len(members))
    with pytest.raises(CohortError) as refused:
        session_update(session=session, by=facilitator, title="Back on?")
    assert refused.value.message == "A cancelled session cannot be edited."
    session.refresh_from_db()
    assert session.title == "Story sharing"


def test_session_fields_are_a_closed_list(session: Session, facilitator: User) -> None:
    with pytest.raises(TypeError):
        session_update(session=session, by=facilitator, cohort_id=999)


# --- the six-session template ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("first_day", "start", "offsets"),
    [
        # Daylight saving time starts in New York on 14 March 2027.
        (date(2027, 2, 23), time(10, 0), [15, 15, 14, 14, 14, 14]),
        # ... and ends on 7 November 2027.
        (date(2027, 10, 19), time(18, 30), [22, 22, 23, 23, 23, 23]),
    ],
    ids=["spring-forward", "fall-back"],
)
def test_template_makes_six_sessions_at_the_same_local_time_across_a_dst_change(
    cohort_with_members: tuple[Cohort, list[User]],
    facilitator: User,
    first_day: date,
    start: time,
    offsets: list[int],
) -> None:
    cohort, members = cohort_with_members
    assert cohort.time_zone == "America/New_York"
    sessions_apply_template(
        cohort=cohort,
        by=facilitator,
        first_day=first_day,
        start_time=start,
        cadence="fortnightly",
        minutes=90,
        video_url="https://meet.example.org/cop",
    )
    stored = list(Session.objects.filter(cohort=cohort).order_by("starts_at"))
    assert len(stored) == 6
    assert [s.title.split(":")[0] for s in stored] == [f"Session {i}" for i in range(1, 7)]
    local = [s.starts_at.astimezone(NEW_YORK) for s in stored]
    assert {(d.hour, d.minute) for d in local} == {(start.hour, start.minute)}
    assert [d.date() for d in local] == [first_day + timedelta(days=14 * i) for i in range(6)]
    assert [s.starts_at.astimezone(UTC).hour for s in stored] == offsets
    assert all(s.ends_at - s.starts_at == timedelta(minutes=90) for s in stored)
    assert all(s.video_url == "https://meet.example.org/cop" and s.agenda for s in stored)
    assert {n.user for n in notes("session.scheduled")} == set(members)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"cadence": "daily"}, "Choose a weekly, fortnightly or monthly rhythm."),
        ({"minutes": 10}, "A session lasts between 15 minutes and 8 hours."),
        ({"minutes": 481}, "A session lasts between 15 minutes and 8 hours."),
    ],
)
def test_template_refuses_odd_spacing_or_length(
    cohort_with_members: tuple[Cohort, list[User]],
    facilitator: User,
    kwargs: dict[str, object],
    message: str,
) -> None:
    cohort, _ = cohort_with_members
    with pytest.raises(CohortError) as refused:
        sessions_apply_template(
            cohort=cohort, by=facilitator, first_day=date(2027, 2, 2), start_time=time(10), **kwargs
        )
    assert refused.value.message == message
    assert not Session.objects.exists()


# --- attendance -----------------------------------------------------------------------------


def test_attendance_records_many_people_in_one_call_and_a_second_call_updates_them(
    session: Session,
    cohort_with_members: tuple[Cohort, list[User]],
    facilitator: User,
    cofacilitator: User,
) -> None:
    _, (a, b, c) = cohort_with_members
    attendance_record(
        session=session,
        by=facilitator,
        statuses={a.pk: "present", b.pk: "absent", c.pk: "excused", facilitator.pk: "present"},
    )
    attendance_record(session=session, by=facilitator, statuses={b.pk: "present", c.pk: "absent"})
    rows = dict(Attendance.objects.filter(session=session).values_list("user_id", "status"))
    assert rows == {a.pk: "present", b.pk: "present", c.pk: "absent", facilitator.pk: "present"}
    assert Attendance.objects.filter(session=session).count() == 4
    assert set(Attendance.objects.values_list("recorded_by", flat=True)) == {facilitator.pk}


def test_recording_attendance_costs_the_same_queries_for_three_or_thirty_people(
    cohort_in_state: Callable[..., Cohort],
    people: Callable[[int], list[User]],
    facilitator: User,
    django_assert_max_num_queries: Any,
) -> None:
    cohort = cohort_in_state(join_policy="open", capacity=40)
    crowd = people(30)
    for person in crowd:
        membership_join(cohort=cohort, user=person)
    few, many = (
        session_create(
            cohort=cohort,
            by=facilitator,
            title=title,
            starts_at=at(2027, 3, day, 15),
            ends_at=at(2027, 3, day, 16),
        )
        for title, day in (("Few", 2), ("Many", 9))
    )
    with django_assert_max_num_queries(4):
        attendance_record(
            session=few, by=facilitator, statuses={p.pk: "present" for p in crowd[:3]}
        )
    with django_assert_max_num_queries(4):
        attendance_record(session=many, by=facilitator, statuses={p.pk: "absent" for p in crowd})
    assert Attendance.objects.filter(session=many).count() == 30


def test_attendance_refuses_people_outside_the_cohort_and_writes_nothing(
    session: Session,
    cohort_with_members: tuple[Cohort, list[User]],
    facilitator: User,
    outsider: User,
    make_user: Any,
) -> None:
    cohort, (a, _, _) = cohort_with_members
    asking = make_user()
    membership_join(cohort=cohort, user=asking)  # requested, not seated
    for stranger in (outsider, asking):
        with pytest.raises(CohortError) as refused:
            attendance_record(
                session=session, by=facilitator, statuses={a.pk: "present", stranger.pk: "present"}
            )
        assert refused.value.message == "Attendance can only be recorded for people in the cohort."
    assert not Attendance.objects.exists()


def test_attendance_refuses_an_unknown_status(
    session: Session, cohort_with_members: tuple[Cohort, list[User]], facilitator: User
) -> None:
    _, (a, b, _) = cohort_with_members
    with pytest.raises(CohortError) as refused:
        attendance_record(session=session, by=facilitator, statuses={a.pk: "present", b.pk: "late"})
    assert refused.value.message == "Unknown attendance status: late."
    assert not Attendance.objects.exists()


# --- calendar tokens ------------------------------------------------------------------------


def test_calendar_token_is_stable_until_reset(member: User) -> None:
    first = calendar_token_for(user=member).token
    assert calendar_token_for(user=member).token == first
    reset = calendar_token_reset(user=member).token
    assert reset != first and len(reset) >= 32
    assert calendar_token_for(user=member).token == reset
