"""The iCalendar feed, parsed back with the icalendar library."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time

import pytest
from icalendar import Calendar

from accounts.models import User
from cohorts.calendar import PRODID, build_calendar
from cohorts.models import Cohort, Session
from cohorts.selectors import sessions_of
from cohorts.services import session_cancel, session_update, sessions_apply_template

pytestmark = pytest.mark.django_db


@pytest.fixture
def calendar_cohort(cohort_in_state: Callable[..., Cohort], facilitator: User) -> Cohort:
    cohort = cohort_in_state(state=Cohort.State.ACTIVE)
    sessions_apply_template(
        cohort=cohort,
        by=facilitator,
        first_day=date(2027, 2, 23),
        start_time=time(10),
        video_url="https://meet.example.org/cop",
    )
    return cohort


def parse(calendar_cohort: Cohort) -> Calendar:
    return Calendar.from_ical(
        build_calendar(sessions_of(calendar_cohort), name=calendar_cohort.title)
    )


def events_by_uid(calendar: Calendar) -> dict[str, dict[str, object]]:
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def test_calendar_is_valid_icalendar_with_one_event_per_session(calendar_cohort: Cohort) -> None:
    calendar = parse(calendar_cohort)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]) == PRODID
    assert str(calendar["X-WR-CALNAME"]) == calendar_cohort.title
    events = calendar.walk("VEVENT")
    sessions = list(sessions_of(calendar_cohort))
    assert len(events) == len(sessions) == 6
    for event, session in zip(events, sessions, strict=True):
        start = event.decoded("DTSTART")
        assert start == session.starts_at
        assert start.utcoffset().total_seconds() == 0  # DTSTART is in UTC
        assert event["DTSTART"].to_ical().endswith(b"Z")
        assert event.decoded("DTEND") == session.ends_at
        assert str(event["SUMMARY"]) == f"{calendar_cohort.title}: {session.title}"
        assert str(event["LOCATION"]) == "https://meet.example.org/cop"
        assert str(event["STATUS"]) == "CONFIRMED"
        assert int(event["SEQUENCE"]) == 0
        assert str(event["URL"]).endswith(f"/cohorts/{calendar_cohort.slug}/sessions/{session.pk}/")


def test_uid_is_stable_across_edits_while_sequence_grows_and_cancellation_shows(
    calendar_cohort: Cohort, facilitator: User
) -> None:
    before = events_by_uid(parse(calendar_cohort))
    first, second, *_ = sessions_of(calendar_cohort)
    session_update(
        session=first,
        by=facilitator,
        starts_at=datetime(2027, 2, 23, 16, tzinfo=UTC),
        ends_at=datetime(2027, 2, 23, 17, 30, tzinfo=UTC),
    )
    session_cancel(session=second, by=facilitator, reason="Snow")
    after = events_by_uid(parse(calendar_cohort))

    assert set(after) == set(before)  # same UIDs, no event added or lost
    moved = next(e for e in after.values() if e.decoded("DTSTART").hour == 16)
    assert int(moved["SEQUENCE"]) == int(before[str(moved["UID"])]["SEQUENCE"]) + 1
    cancelled = [e for e in after.values() if str(e["STATUS"]) == "CANCELLED"]
    assert len(cancelled) == 1
    assert int(cancelled[0]["SEQUENCE"]) == 1
    assert str(cancelled[0]["UID"]) == f"session-{second.pk}@127.0.0.1"


def test_dtstart_is_utc_even_for_sessions_straight_from_the_template(
    cohort_in_state: Callable[..., Cohort], facilitator: User
) -> None:
    cohort = cohort_in_state(state=Cohort.State.ACTIVE)
    created: list[Session] = sessions_apply_template(
        cohort=cohort, by=facilitator, first_day=date(2027, 2, 23), start_time=time(10)
    )
    calendar = Calendar.from_ical(build_calendar(created, name="x"))
    for event in calendar.walk("VEVENT"):
        assert event["DTSTART"].to_ical().endswith(b"Z")
        assert "TZID" not in event["DTSTART"].params
