"""The schedule tells the truth: the six-session template at any time with a weekly,
fortnightly or monthly rhythm and warnings past the term or the application deadline,
"Meets" derived from the sessions, and a session page with attendance, its threads and a
one-event calendar file."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time

import pytest
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from accounts.models import User
from cohorts.calendar import build_calendar
from cohorts.models import Attendance, Cohort, EnrollmentPeriod, Membership, Session
from cohorts.selectors import cadence_disagrees, rhythm_of, sessions_of
from cohorts.services import (
    attendance_record,
    session_create,
    sessions_apply_template,
    sessions_template_plan,
)
from discussions.models import Thread

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(cohort_in_state: Callable[..., Cohort], enrollment_period: EnrollmentPeriod) -> Cohort:
    """Active, term 1 Feb to 31 May 2027 (America/New_York), applications close 15 Apr."""
    enrollment_period.closes_on = date(2027, 4, 15)
    enrollment_period.save()
    return cohort_in_state(
        state=Cohort.State.ACTIVE,
        enrollment_period=enrollment_period,
        time_zone="America/New_York",
    )


def local_days(cohort: Cohort) -> list[date]:
    return [s.starts_at.astimezone(UTC).date() for s in sessions_of(cohort)]


def test_template_can_be_used_again_and_numbers_after_existing_sessions(
    cohort: Cohort, facilitator: User
) -> None:
    sessions_apply_template(
        cohort=cohort, by=facilitator, first_day=date(2027, 2, 3), start_time=time(12)
    )
    again = sessions_apply_template(
        cohort=cohort, by=facilitator, first_day=date(2027, 5, 5), start_time=time(12)
    )
    assert len(again) == 6
    assert Session.objects.filter(cohort=cohort).count() == 12
    assert again[0].title.startswith("Session 7: ")
    assert again[-1].title.startswith("Session 12: ")


@pytest.mark.parametrize(
    ("cadence", "first_day", "days"),
    [
        ("weekly", date(2027, 2, 3), [3, 10, 17, 24, 3, 10]),
        ("fortnightly", date(2027, 2, 3), [3, 17, 3, 17, 31, 14]),
        # The first Wednesday of each month; then the last Monday (a fifth becomes the last).
        ("monthly", date(2027, 2, 3), [3, 3, 7, 5, 2, 7]),
        ("monthly", date(2027, 3, 29), [29, 26, 31, 28, 26, 30]),
    ],
)
def test_template_cadences_keep_the_weekday(
    cohort: Cohort, cadence: str, first_day: date, days: list[int]
) -> None:
    plan = sessions_template_plan(
        cohort=cohort, first_day=first_day, start_time=time(12), cadence=cadence
    )
    starts = [p.starts_at for p in plan]
    assert [d.day for d in starts] == days
    assert {d.weekday() for d in starts} == {first_day.weekday()}
    assert {(d.hour, d.minute) for d in starts} == {(12, 0)}


def test_template_plan_warns_past_the_deadline_and_the_term_and_still_schedules_them(
    cohort: Cohort, facilitator: User
) -> None:
    plan = sessions_template_plan(
        cohort=cohort, first_day=date(2027, 3, 3), start_time=time(12), cadence="fortnightly"
    )
    # 3 Mar, 17 Mar, 31 Mar, 14 Apr, 28 Apr, 12 May: the last two are after 15 April.
    assert [bool(p.warnings) for p in plan] == [False, False, False, False, True, True]
    assert "after applications for Fall 2031 close (15 Apr 2027)" in plan[4].warnings
    late = sessions_template_plan(
        cohort=cohort, first_day=date(2027, 5, 5), start_time=time(12), cadence="weekly"
    )
    # 5, 12, 19, 26 May, then 2 and 9 June: past the term's end on 31 May.
    assert ["after the term ends (31 May 2027)" in p.warnings for p in late] == [
        False,
        False,
        False,
        False,
        True,
        True,
    ]
    created = sessions_apply_template(
        cohort=cohort,
        by=facilitator,
        first_day=date(2027, 5, 5),
        start_time=time(12),
        cadence="weekly",
    )
    assert len(created) == 6


def test_meets_is_derived_from_the_sessions_and_a_disagreeing_cadence_is_flagged(
    cohort: Cohort, facilitator: User
) -> None:
    assert rhythm_of(cohort) is None
    # 3 February 2027 is a Wednesday; the cohort says "Every other Tuesday".
    sessions_apply_template(
        cohort=cohort, by=facilitator, first_day=date(2027, 2, 3), start_time=time(12)
    )
    rhythm = rhythm_of(cohort)
    assert rhythm is not None
    assert rhythm.text == "Every other Wednesday, 12:00 to 13:30"
    assert cadence_disagrees(cohort.cadence, rhythm)
    assert not cadence_disagrees("Every other Wednesday at noon", rhythm)
    assert cadence_disagrees("Weekly on Wednesdays", rhythm)
    assert not cadence_disagrees("Ninety minutes, online", rhythm)


def test_monthly_sessions_are_described_by_weekday_of_month(
    cohort: Cohort, facilitator: User
) -> None:
    sessions_apply_template(
        cohort=cohort,
        by=facilitator,
        first_day=date(2027, 2, 5),
        start_time=time(10),
        cadence="monthly",
        minutes=60,
    )
    rhythm = rhythm_of(cohort)
    assert rhythm is not None and rhythm.text == "Monthly, the first Friday, 10:00 to 11:00"
    assert not cadence_disagrees("Monthly, first Friday", rhythm)


def test_cohort_page_and_console_show_the_sessions_rhythm_and_warn_the_facilitator(
    cohort: Cohort, facilitator: User, fac_client: Client
) -> None:
    sessions_apply_template(
        cohort=cohort, by=facilitator, first_day=date(2027, 2, 3), start_time=time(12)
    )
    about = fac_client.get(reverse("cohorts:detail", args=[cohort.slug])).content.decode()
    assert "Every other Wednesday, 12:00 to 13:30" in about
    console = fac_client.get(reverse("cohorts:console", args=[cohort.slug])).content.decode()
    assert "The stated cadence does not match the sessions." in console
    # The template is still offered once sessions exist.
    assert "Six-session outline" in console


def test_template_view_previews_dates_with_warnings_before_confirming(
    cohort: Cohort, fac_client: Client
) -> None:
    url = reverse("cohorts:session_template", args=[cohort.slug])
    data = {
        "first_day": "2027-05-05",
        "start_time": "12:00",
        "cadence": "weekly",
        "minutes": "90",
        "video_url": "",
    }
    preview = fac_client.post(url, data)
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "after the term ends (31 May 2027)" in page
    assert "Schedule anyway" in page
    assert not Session.objects.filter(cohort=cohort).exists()
    confirmed = fac_client.post(url, {**data, "confirm": "1"})
    assert confirmed.status_code == 302
    assert Session.objects.filter(cohort=cohort).count() == 6


@pytest.fixture
def held(cohort: Cohort, facilitator: User) -> Session:
    return session_create(
        cohort=cohort,
        by=facilitator,
        title="Story sharing",
        starts_at=datetime(2024, 3, 2, 15, tzinfo=UTC),
        ends_at=datetime(2024, 3, 2, 16, 30, tzinfo=UTC),
    )


def test_session_event_file_parses_and_has_the_feeds_uid(
    cohort: Cohort, held: Session, fac_client: Client
) -> None:
    response = fac_client.get(reverse("cohorts:session_event", args=[cohort.slug, held.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    events = Calendar.from_ical(response.content).walk("VEVENT")
    feed = Calendar.from_ical(build_calendar(sessions_of(cohort), name="x")).walk("VEVENT")
    assert len(events) == 1
    assert str(events[0]["UID"]) == str(feed[0]["UID"])


def test_session_event_file_is_refused_to_outsiders(
    cohort: Cohort, held: Session, member_client: Client
) -> None:
    response = member_client.get(reverse("cohorts:session_event", args=[cohort.slug, held.pk]))
    assert response.status_code == 404


def test_session_page_says_whether_i_attended_and_links_its_threads(
    cohort: Cohort,
    held: Session,
    facilitator: User,
    member: User,
    seat: Callable[..., Membership],
    member_client: Client,
    make_thread: Callable[..., Thread],
) -> None:
    seat(cohort, member)
    url = reverse("cohorts:session", args=[cohort.slug, held.pk])
    assert "Attendance not recorded yet." in member_client.get(url).content.decode()
    attendance_record(session=held, by=facilitator, statuses={member.pk: Attendance.Status.PRESENT})
    prep = make_thread(cohort, facilitator, title="Before we share stories", session=held)
    page = member_client.get(url).content.decode()
    assert "You attended." in page
    assert "Prep thread" in page
    assert f'href="{prep.get_absolute_url()}"' in page
    assert reverse("cohorts:session_event", args=[cohort.slug, held.pk]) in page


def test_proposal_edit_page_warns_when_the_cadence_disagrees_with_the_sessions(
    cohort_in_state: Callable[..., Cohort], facilitator: User, fac_client: Client
) -> None:
    # Only a proposal is editable; a draft may already have sessions planned.
    cohort = cohort_in_state(state=Cohort.State.DRAFT)
    url = reverse("cohorts:edit", args=[cohort.slug])
    assert "does not match the sessions" not in fac_client.get(url).content.decode()
    sessions_apply_template(
        cohort=cohort, by=facilitator, first_day=date(2027, 2, 3), start_time=time(12)
    )
    page = fac_client.get(url).content.decode()
    assert "The stated cadence does not match the sessions." in page
    assert "Every other Wednesday, 12:00 to 13:30" in page
