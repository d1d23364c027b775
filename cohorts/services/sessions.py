"""Sessions, attendance and calendar tokens."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import notify
from cohorts.models import (
    MESSAGE_MAX,
    Attendance,
    CalendarToken,
    Cohort,
    Membership,
    Session,
    new_feed_token,
)
from cohorts.selectors import weekday_of_month
from cohorts.services.errors import CohortError
from core.text import clean_input, clean_multiline

SESSION_FIELDS = (
    "title",
    "starts_at",
    "ends_at",
    "time_zone",
    "video_url",
    "place",
    "agenda",
    "prework",
    "materials",
    "notes",
)
# Changes members must hear about (and calendars must re-read).
NOTIFIED_FIELDS = {"title", "starts_at", "ends_at", "video_url", "place"}

SIX_SESSION_TEMPLATE = [
    (
        "Opening circle: who we are and what we bring",
        "- Introductions: the knowledge and ways of knowing each of us brings\n"
        "- Agree on how we will work together\n- Surface questions we want to pursue",
    ),
    (
        "Naming our learning goals",
        "- Share the competencies each of us is working on\n"
        "- Propose and choose collective learning goals\n- Pair up for between-session talks",
    ),
    (
        "Sharing frameworks",
        "- Each member brings one framework or model that shapes their practice\n"
        "- Compare: what do they assume about community?",
    ),
    (
        "Story sharing to derive principles",
        "- Stories from our own partnerships\n- What principles do they teach us?",
    ),
    (
        "Consulting the group",
        "- One or two members bring a current challenge\n- The group consults and reflects",
    ),
    (
        "Closing: evidence, reflection and next steps",
        "- Look back at our goals\n- Gather evidence and reflections for applications\n"
        "- Plan what comes next",
    ),
]


def _members(cohort: Cohort) -> list[User]:
    return list(
        User.objects.filter(
            memberships__cohort=cohort, memberships__status=Membership.Status.ACTIVE
        )
    )


CLOSED_STATES = (Cohort.State.CONCLUDED, Cohort.State.ARCHIVED, Cohort.State.REJECTED)


def _check_open(cohort: Cohort) -> None:
    if cohort.state in CLOSED_STATES:
        raise CohortError(
            f"A cohort that is {cohort.get_state_display().lower()} takes no new sessions.",
            code="conflict",
        )


def _check_message(text: str) -> str:
    """A cancellation reason: mailed to members, so bounded like every other message."""
    text = clean_multiline(text).strip()
    if len(text) > MESSAGE_MAX:
        raise CohortError(f"The message can be at most {MESSAGE_MAX} characters.")
    return text


def _check_times(starts_at: datetime, ends_at: datetime) -> None:
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise CohortError("Session times need a time zone.")
    if ends_at <= starts_at:
        raise CohortError("A session must end after it starts.")
    if ends_at - starts_at > timedelta(hours=12):
        raise CohortError("A session can last at most 12 hours.")


@transaction.atomic
def session_create(*, cohort: Cohort, by: User, **fields: Any) -> Session:
    unknown = set(fields) - set(SESSION_FIELDS)
    if unknown:
        raise TypeError(f"not session fields: {sorted(unknown)}")
    fields = clean_input(Session, fields, error=CohortError)
    _check_open(cohort)
    fields.setdefault("time_zone", cohort.time_zone)
    _check_times(fields["starts_at"], fields["ends_at"])
    session = Session.objects.create(cohort=cohort, **fields)
    notify(
        users=[u for u in _members(cohort) if u.pk != by.pk],
        kind="session.scheduled",
        title=f"New session in “{cohort.title}”: {session.title}",
        url=session.get_absolute_url(),
    )
    return session


@transaction.atomic
def session_update(*, session: Session, by: User, **fields: Any) -> Session:
    """Edit a session. Changes to time or place notify members (in-app and by e-mail) and
    bump the calendar SEQUENCE so subscribed calendars update."""
    unknown = set(fields) - set(SESSION_FIELDS)
    if unknown:
        raise TypeError(f"not session fields: {sorted(unknown)}")
    fields = clean_input(Session, fields, error=CohortError)
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.is_cancelled:
        raise CohortError("A cancelled session cannot be edited.", code="conflict")
    _check_times(fields.get("starts_at", session.starts_at), fields.get("ends_at", session.ends_at))
    changed = [f for f, v in fields.items() if getattr(session, f) != v]
    for name in changed:
        setattr(session, name, fields[name])
    important = NOTIFIED_FIELDS & set(changed)
    if important:
        session.sequence += 1
        changed.append("sequence")
    if changed:
        session.save(update_fields=[*changed, "updated_at"])
    if important:
        notify(
            users=[u for u in _members(session.cohort) if u.pk != by.pk],
            kind="session.changed",
            title=f"Session changed: {session.title}",
            body=f"The time or place of a session in “{session.cohort.title}” changed.",
            url=session.get_absolute_url(),
            email=True,
        )
    return session


@transaction.atomic
def session_cancel(*, session: Session, by: User, reason: str = "") -> Session:
    reason = _check_message(reason)
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.is_cancelled:
        return session
    session.cancelled_at = timezone.now()
    session.sequence += 1
    session.save(update_fields=["cancelled_at", "sequence", "updated_at"])
    notify(
        users=[u for u in _members(session.cohort) if u.pk != by.pk],
        kind="session.cancelled",
        title=f"Session cancelled: {session.title}",
        body=reason,
        url=session.get_absolute_url(),
        email=True,
        quoted_from=by if reason else None,
    )
    return session


# The template's rhythms: a label for the form, and how the description of a schedule
# names them. "Monthly" keeps the weekday of the month (the second Wednesday), which is how
# groups say it; the fifth of a weekday, which most months lack, becomes "the last".
CADENCES = {
    "weekly": "Weekly",
    "fortnightly": "Every other week",
    "monthly": "Monthly, on the same weekday of the month",
}


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The ``n``th (1-4, or -1 for the last) ``weekday`` of a month."""
    if n == -1:
        following = date(year + month // 12, month % 12 + 1, 1)
        last = following - timedelta(days=1)
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def cadence_dates(first_day: date, cadence: str, count: int) -> list[date]:
    if cadence not in CADENCES:
        raise CohortError("Choose a weekly, fortnightly or monthly rhythm.")
    if cadence != "monthly":
        step = 7 if cadence == "weekly" else 14
        return [first_day + timedelta(days=step * i) for i in range(count)]
    n = weekday_of_month(first_day)
    days = [first_day]
    for i in range(1, count):
        months = first_day.month - 1 + i
        year, month = first_day.year + months // 12, months % 12 + 1
        days.append(nth_weekday(year, month, first_day.weekday(), n))
    return days


@dataclass(frozen=True)
class PlannedSession:
    """One session the template would make, with what the facilitator should know first."""

    number: int
    title: str
    agenda: str
    starts_at: datetime
    ends_at: datetime
    warnings: tuple[str, ...] = ()


def sessions_template_plan(
    *,
    cohort: Cohort,
    first_day: date,
    start_time: time,
    cadence: str = "fortnightly",
    minutes: int = 90,
) -> list[PlannedSession]:
    """The six sessions the template would schedule, numbered after the cohort's existing
    (not cancelled) sessions, each with warnings when it falls after the term ends or after
    the enrollment period's application deadline. Nothing is written."""
    if not 15 <= minutes <= 480:
        raise CohortError("A session lasts between 15 minutes and 8 hours.")
    tz = zoneinfo.ZoneInfo(cohort.time_zone)
    already = Session.objects.filter(cohort=cohort, cancelled_at__isnull=True).count()
    period = cohort.enrollment_period
    plan = []
    days = cadence_dates(first_day, cadence, len(SIX_SESSION_TEMPLATE))
    for index, ((title, agenda), day) in enumerate(zip(SIX_SESSION_TEMPLATE, days, strict=True)):
        warnings = []
        if day > cohort.term_end:
            warnings.append(f"after the term ends ({cohort.term_end:%-d %b %Y})")
        if period is not None and day > period.closes_on:
            warnings.append(
                f"after applications for {period.name} close ({period.closes_on:%-d %b %Y})"
            )
        start = datetime.combine(day, start_time, tzinfo=tz)
        number = already + index + 1
        plan.append(
            PlannedSession(
                number=number,
                title=f"Session {number}: {title}",
                agenda=agenda,
                starts_at=start,
                ends_at=start + timedelta(minutes=minutes),
                warnings=tuple(warnings),
            )
        )
    return plan


@transaction.atomic
def sessions_apply_template(
    *,
    cohort: Cohort,
    by: User,
    first_day: date,
    start_time: time,
    cadence: str = "fortnightly",
    minutes: int = 90,
    video_url: str = "",
) -> list[Session]:
    """Schedule the six-session outline at any time (numbering continues after the
    sessions already there), weekly, fortnightly or monthly, in the cohort's time zone (so a
    session stays at 10:00 local time across a daylight-saving change). Sessions past the
    term or the application deadline are allowed: the console shows
    :func:`sessions_template_plan`'s warnings and asks the facilitator to confirm first."""
    _check_open(cohort)
    # Locks the cohort row so two submissions number their sessions one after the other.
    Cohort.objects.select_for_update().filter(pk=cohort.pk).first()
    plan = sessions_template_plan(
        cohort=cohort, first_day=first_day, start_time=start_time, cadence=cadence, minutes=minutes
    )
    sessions = [
        Session(
            cohort=cohort,
            title=planned.title,
            starts_at=planned.starts_at,
            ends_at=planned.ends_at,
            time_zone=cohort.time_zone,
            video_url=video_url,
            agenda=planned.agenda,
        )
        for planned in plan
    ]
    created = Session.objects.bulk_create(sessions)
    notify(
        users=[u for u in _members(cohort) if u.pk != by.pk],
        kind="session.scheduled",
        title=f"Six sessions scheduled in “{cohort.title}”",
        url=cohort.get_absolute_url(),
    )
    return created


@transaction.atomic
def attendance_record(*, session: Session, by: User, statuses: dict[int, str]) -> list[Attendance]:
    """Record attendance for many people at once: ``{user_id: status}``. Only people who
    are (or were) seated in the cohort can be marked."""
    valid = set(Attendance.Status.values)
    bad = [s for s in statuses.values() if s not in valid]
    if bad:
        raise CohortError(f"Unknown attendance status: {bad[0]}.")
    allowed = set(
        Membership.objects.filter(cohort=session.cohort, status__in=Membership.SEATED).values_list(
            "user_id", flat=True
        )
    )
    strangers = set(statuses) - allowed
    if strangers:
        raise CohortError("Attendance can only be recorded for people in the cohort.")
    rows = [
        Attendance(session=session, user_id=user_id, status=status, recorded_by=by)
        for user_id, status in statuses.items()
    ]
    return Attendance.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["session", "user"],
        update_fields=["status", "recorded_by", "recorded_at"],
    )


def calendar_token_for(*, user: User) -> CalendarToken:
    token, _ = CalendarToken.objects.get_or_create(user=user)
    return token


@transaction.atomic
def calendar_token_reset(*, user: User) -> CalendarToken:
    """A new secret: every calendar subscribed with the old URL stops updating."""
    token, created = CalendarToken.objects.get_or_create(user=user)
    if not created:
        token.token = new_feed_token()
        token.save(update_fields=["token", "created_at"])
    return token
