"""Reads that join: the directory, a cohort's pages, the facilitator console."""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from typing import Any

from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    prefetch_related_objects,
)
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from cohorts.models import (
    Attendance,
    Cohort,
    EnrollmentPeriod,
    GoalSupport,
    Invitation,
    LearningGoal,
    Membership,
    Session,
)
from cohorts.permissions import PUBLIC_STATES
from core.registry import ActivityItem, cohort_activity, cohort_cards

M = Membership


def _facilitator_prefetch() -> Prefetch:
    return Prefetch(
        "memberships",
        queryset=Membership.objects.filter(
            role=M.Role.FACILITATOR, status=M.Status.ACTIVE
        ).select_related("user"),
        to_attr="active_facilitators",
    )


def _scheduled_prefetch() -> Prefetch:
    """The sessions a cohort's "Meets" line is derived from (see :func:`rhythm_of`)."""
    return Prefetch(
        "sessions",
        queryset=Session.objects.filter(cancelled_at__isnull=True).order_by("starts_at"),
        to_attr="scheduled_sessions",
    )


def with_counts(qs: QuerySet[Cohort]) -> QuerySet[Cohort]:
    """Annotate ``seated_members`` (active members, facilitators excluded)."""
    return qs.annotate(
        seated_members=Count(
            "memberships",
            filter=Q(memberships__role=M.Role.MEMBER, memberships__status=M.Status.ACTIVE),
            distinct=True,
        )
    )


def directory(*, area: str | None = None, period: str | None = None) -> QuerySet[Cohort]:
    """Approved, listed cohorts still taking members, with what a card shows, in a fixed
    number of queries."""
    qs = Cohort.objects.filter(listed=True, state__in=[Cohort.State.APPROVED, Cohort.State.ACTIVE])
    if area:
        qs = qs.filter(focus_areas__slug=area)
    if period:
        qs = qs.filter(enrollment_period__slug=period)
    return (
        with_counts(qs)
        .select_related("enrollment_period", "framework")
        .prefetch_related("focus_areas", _facilitator_prefetch(), _scheduled_prefetch())
        .order_by("term_start", "title")
        .distinct()
    )


def my_places(user: Any, cohorts: list[Cohort]) -> dict[int, str]:
    """How ``user`` stands in each of ``cohorts``, for the directory's marks, in one query:
    cohort id -> "facilitator", "member", "alumni", "requested" or "waitlisted" (cohorts
    they have no place in, or left, are absent)."""
    if not getattr(user, "is_authenticated", False) or not cohorts:
        return {}
    places: dict[int, str] = {}
    rows = Membership.objects.filter(
        user=user,
        cohort_id__in=[c.pk for c in cohorts],
        status__in=[*M.SEATED, M.Status.REQUESTED, M.Status.WAITLISTED],
    ).values_list("cohort_id", "role", "status")
    for cohort_id, role, status in rows:
        if status == M.Status.ACTIVE:
            places[cohort_id] = "facilitator" if role == M.Role.FACILITATOR else "member"
        else:
            places[cohort_id] = status
    return places


def open_periods() -> QuerySet[EnrollmentPeriod]:
    """Enrollment periods whose application deadline has not passed (the directory's
    filter offers only these)."""
    return EnrollmentPeriod.objects.filter(closes_on__gte=timezone.localdate()).order_by("opens_on")


def review_queue_count() -> int:
    return Cohort.objects.filter(state=Cohort.State.SUBMITTED).count()


def cohort_pages() -> QuerySet[Cohort]:
    """The row a cohort's own pages show (seats taken, period, framework), for
    ``permissions.access_cohort(..., queryset=cohort_pages())``; then
    :func:`with_page_relations` once access is granted."""
    return with_counts(Cohort.objects.all()).select_related(
        "enrollment_period", "framework", "proposed_by"
    )


def with_page_relations(cohort: Cohort) -> Cohort:
    """Load the focus and the facilitators a cohort's pages list (after the access check,
    so a refused request costs no more queries)."""
    prefetch_related_objects(
        [cohort],
        "focus_areas",
        "focus_competencies",
        _facilitator_prefetch(),
        _scheduled_prefetch(),
    )
    return cohort


def membership_of(cohort: Cohort, user: Any) -> Membership | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Membership.objects.filter(cohort=cohort, user=user).first()


def sessions_of(cohort: Cohort) -> QuerySet[Session]:
    return Session.objects.filter(cohort=cohort).select_related("cohort").order_by("starts_at")


def next_session(cohort: Cohort) -> Session | None:
    return (
        sessions_of(cohort).filter(ends_at__gte=timezone.now(), cancelled_at__isnull=True).first()
    )


def members_of(cohort: Cohort) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(cohort=cohort, status__in=M.SEATED)
        .select_related("user")
        .order_by("role", "user__name")
    )


def goals_of(cohort: Cohort, *, viewer: Any) -> QuerySet[LearningGoal]:
    qs = LearningGoal.objects.filter(cohort=cohort).select_related("proposed_by")
    qs = qs.annotate(support_count=Count("goalsupport", distinct=True))
    if getattr(viewer, "is_authenticated", False):
        qs = qs.annotate(
            supported_by_viewer=Exists(GoalSupport.objects.filter(goal=OuterRef("pk"), user=viewer))
        )
    return qs.order_by("created_at")


def pending_requests(cohort: Cohort) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(cohort=cohort, status=M.Status.REQUESTED)
        .select_related("user")
        .order_by("created_at")
    )


def waitlist(cohort: Cohort) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(cohort=cohort, status=M.Status.WAITLISTED)
        .select_related("user")
        .order_by("waitlisted_at", "pk")
    )


def open_invitations(cohort: Cohort) -> QuerySet[Invitation]:
    return (
        Invitation.objects.filter(cohort=cohort, accepted_at__isnull=True, revoked_at__isnull=True)
        .select_related("invited_by")
        .order_by("-created_at")
    )


def attendance_counts(cohort: Cohort) -> dict[int, dict[str, int]]:
    """``{user_id: {"present": n, "absent": n, "excused": n}}`` for past sessions."""
    rows = (
        Attendance.objects.filter(
            session__cohort=cohort,
            session__cancelled_at__isnull=True,
            session__starts_at__lte=timezone.now(),
        )
        .values("user_id", "status")
        .annotate(n=Count("pk"))
    )
    counts: dict[int, dict[str, int]] = {}
    for row in rows:
        counts.setdefault(row["user_id"], {})[row["status"]] = row["n"]
    return counts


def held_sessions(cohort: Cohort) -> list[Session]:
    """The sessions held so far (started, not cancelled), newest first, in one query."""
    return list(
        Session.objects.filter(
            cohort=cohort, cancelled_at__isnull=True, starts_at__lte=timezone.now()
        )
        .only("pk", "cohort_id", "starts_at", "ends_at")
        .order_by("-starts_at")
    )


def held_after_joining(membership: Membership, sessions: list[Session]) -> list[Session]:
    """Those of ``sessions`` still running or yet to end when the person took their place:
    nobody is expected at a session that was over before they joined."""
    joined = membership.joined_at
    return [s for s in sessions if s.ends_at > joined]


def recent_attendance(session_ids: list[int]) -> dict[int, dict[int, str]]:
    """``{user_id: {session_id: status}}`` at the given sessions, in one query."""
    by_user: dict[int, dict[int, str]] = {}
    for row in Attendance.objects.filter(session_id__in=session_ids).values(
        "user_id", "status", "session_id"
    ):
        by_user.setdefault(row["user_id"], {})[row["session_id"]] = row["status"]
    return by_user


def attendance_sheet(session: Session) -> tuple[list[Membership], dict[int, str]]:
    """Who a session's attendance screen lists, and what is recorded so far: everyone
    seated who had joined before it ended, and anyone already recorded at it."""
    current = dict(Attendance.objects.filter(session=session).values_list("user_id", "status"))
    people = [
        m
        for m in members_of(session.cohort)
        if m.user_id in current or held_after_joining(m, [session])
    ]
    return people, current


def cohorts_of(user: Any) -> QuerySet[Cohort]:
    """The cohorts a person is seated in (member, facilitator or alumni)."""
    if not getattr(user, "is_authenticated", False):
        return Cohort.objects.none()
    # A subquery, not a join on memberships: filtering through the join would make
    # ``seated_members`` count only this person's own membership row.
    seated = Membership.objects.filter(user=user, status__in=M.SEATED).values("cohort_id")
    return (
        with_counts(Cohort.objects.filter(pk__in=seated))
        .exclude(state=Cohort.State.ARCHIVED)
        .select_related("enrollment_period")
        .order_by("term_start")
    )


def cohorts_and_pending_of(user: Any) -> QuerySet[Cohort]:
    """The cohorts a person is seated in, has asked to join (or waits for on a waitlist),
    or holds an open invitation to, in one query, each annotated with ``my_role``,
    ``my_status`` and, when invited, ``invited_role``, ``invited_until`` and
    ``invited_by_name``. Invitations go to the account's (verified) address."""
    if not getattr(user, "is_authenticated", False):
        return Cohort.objects.none()
    mine = Membership.objects.filter(cohort=OuterRef("pk"), user=user)
    involved = Membership.objects.filter(
        user=user, status__in=[*M.SEATED, M.Status.REQUESTED, M.Status.WAITLISTED]
    ).values("cohort_id")
    invited = Invitation.objects.filter(
        cohort=OuterRef("pk"),
        email__iexact=user.email or "-",
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).order_by("expires_at")
    return (
        with_counts(Cohort.objects.filter(Q(pk__in=involved) | Q(Exists(invited))))
        .exclude(state=Cohort.State.ARCHIVED)
        .annotate(
            my_role=Subquery(mine.values("role")[:1]),
            my_status=Subquery(mine.values("status")[:1]),
            my_since=Subquery(mine.values("updated_at")[:1]),
            my_waitlisted_at=Subquery(mine.values("waitlisted_at")[:1]),
            invited_role=Subquery(invited.values("role")[:1]),
            invited_until=Subquery(invited.values("expires_at")[:1]),
            invited_by_name=Subquery(invited.values("invited_by__name")[:1]),
        )
        .select_related("enrollment_period")
        .order_by("term_start")
    )


def upcoming_sessions_for(user: Any, *, limit: int = 5) -> QuerySet[Session]:
    if not getattr(user, "is_authenticated", False):
        return Session.objects.none()
    return (
        Session.objects.filter(
            cohort__memberships__user=user,
            cohort__memberships__status=M.Status.ACTIVE,
            ends_at__gte=timezone.now(),
            cancelled_at__isnull=True,
        )
        .select_related("cohort")
        .order_by("starts_at")[:limit]
    )


def sessions_for_feed(user: User) -> QuerySet[Session]:
    """Every session (cancelled ones included) of the cohorts a person is active in."""
    return (
        Session.objects.filter(
            cohort__memberships__user=user,
            cohort__memberships__status__in=M.SEATED,
        )
        .select_related("cohort")
        .order_by("starts_at")
    )


def with_pending_cofacilitator_invitations(qs: QuerySet[Cohort]) -> QuerySet[Cohort]:
    """Annotate ``pending_cofacilitators``: co-facilitator invitations not yet accepted,
    revoked or expired."""
    return qs.annotate(
        pending_cofacilitators=Count(
            "invitations",
            filter=Q(
                invitations__role=M.Role.FACILITATOR,
                invitations__accepted_at__isnull=True,
                invitations__revoked_at__isnull=True,
                invitations__expires_at__gt=timezone.now(),
            ),
            distinct=True,
        )
    )


def pending_cofacilitator_invitations(cohort: Cohort) -> int:
    return Invitation.objects.filter(
        cohort=cohort,
        role=M.Role.FACILITATOR,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).count()


def review_queue() -> QuerySet[Cohort]:
    """Submitted proposals, oldest first, with their facilitators and pending
    co-facilitator invitations (staff see at a glance who has fewer facilitators than
    ``FACILITATORS_EXPECTED``)."""
    return (
        with_pending_cofacilitator_invitations(Cohort.objects.filter(state=Cohort.State.SUBMITTED))
        .select_related("proposed_by", "enrollment_period")
        .prefetch_related("focus_areas", _facilitator_prefetch())
        .order_by("updated_at")
    )


def public_states() -> tuple[str, ...]:
    return tuple(PUBLIC_STATES)


def facilitators_of(cohort: Cohort) -> list[User]:
    """The cohort's active facilitators (the people told about requests and reviews)."""
    return list(
        User.objects.filter(
            memberships__cohort=cohort,
            memberships__role=M.Role.FACILITATOR,
            memberships__status=M.Status.ACTIVE,
        )
    )


def recent_activity(cohort: Cohort, viewer: Any, *, limit: int = 8) -> list[ActivityItem]:
    """ "Recent activity" on the cohort's home: members who joined and sessions held (here),
    with what other apps register (discussions' posts), newest first. Administrative state
    changes (proposed, approved, active...) are not activity members care about."""
    now = timezone.now()
    items = [
        ActivityItem(at=m.created_at, text=f"{m.user.display_name} joined", kind="member")
        for m in Membership.objects.filter(cohort=cohort, status__in=M.SEATED, role=M.Role.MEMBER)
        .select_related("user")
        .order_by("-created_at")[:limit]
    ]
    items += [
        ActivityItem(
            at=s.starts_at,
            text=f"Session held: {s.title}",
            url=reverse("cohorts:session", args=[cohort.slug, s.pk]),
            kind="session",
        )
        for s in Session.objects.filter(
            cohort=cohort, ends_at__lt=now, cancelled_at__isnull=True
        ).order_by("-starts_at")[:limit]
    ]
    items += cohort_activity(cohort, viewer, limit=limit)
    items.sort(key=lambda item: item.at, reverse=True)
    return items[:limit]


def home_cards(cohort: Cohort, viewer: Any) -> list[dict[str, Any]]:
    """The cards other apps register for the cohort's home, each as its template and the
    context its own function returns."""
    return [
        {"template": card.template, "context": card.context(cohort, viewer)}
        for card in cohort_cards()
    ]


# --- What the schedule says -----------------------------------------------------------------

ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}


def weekday_of_month(day: date) -> int:
    """1 to 4 for the first to fourth such weekday of its month, -1 for the last (a fifth
    is always the last; a fourth that is also the last stays the fourth)."""
    n = (day.day - 1) // 7 + 1
    return -1 if n == 5 else n


WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


@dataclass(frozen=True)
class Rhythm:
    """How a cohort's scheduled sessions actually fall, in the cohort's time zone."""

    text: str
    count: int
    weekday: int | None  # when every session is on the same weekday
    every: str | None  # "weekly", "fortnightly", "monthly", or None when irregular


def rhythm_of(cohort: Cohort, sessions: Iterable[Session] | None = None) -> Rhythm | None:
    """Describe the cohort's sessions that are not cancelled ("Every other Wednesday,
    12:00 to 13:30"), or None when none is scheduled. Uses the ``scheduled_sessions`` the
    page selectors prefetch when present."""
    if sessions is None:
        sessions = getattr(cohort, "scheduled_sessions", None)
    if sessions is None:
        sessions = Session.objects.filter(cohort=cohort, cancelled_at__isnull=True)
    rows = sorted((s for s in sessions if s.cancelled_at is None), key=lambda s: s.starts_at)
    if not rows:
        return None
    tz = zoneinfo.ZoneInfo(cohort.time_zone)
    starts = [s.starts_at.astimezone(tz) for s in rows]
    ends = [s.ends_at.astimezone(tz) for s in rows]
    times = {(a.strftime("%H:%M"), b.strftime("%H:%M")) for a, b in zip(starts, ends, strict=True)}
    when = f"{next(iter(times))[0]} to {next(iter(times))[1]}" if len(times) == 1 else ""
    days = [d.date() for d in starts]
    weekdays = {d.weekday() for d in days}
    weekday = next(iter(weekdays)) if len(weekdays) == 1 else None
    if len(days) == 1:
        text = f"Once, {days[0]:%A} {days[0].day} {days[0]:%B %Y}"
        return Rhythm(f"{text}, {when}" if when else text, 1, weekday, None)
    gaps = {(b - a).days for a, b in pairwise(days)}
    months = [d.year * 12 + d.month for d in days]
    every: str | None = None
    if weekday is not None and gaps == {7}:
        every, text = "weekly", f"Every {WEEKDAYS[weekday]}"
    elif weekday is not None and gaps == {14}:
        every, text = "fortnightly", f"Every other {WEEKDAYS[weekday]}"
    elif (
        weekday is not None
        and len({weekday_of_month(d) for d in days}) == 1
        and all(b - a == 1 for a, b in pairwise(months))
    ):
        every = "monthly"
        text = f"Monthly, the {ORDINALS[weekday_of_month(days[0])]} {WEEKDAYS[weekday]}"
    elif weekday is not None:
        text = f"On {WEEKDAYS[weekday]}s, at uneven intervals"
    else:
        text = "On varying days"
    if when:
        text = f"{text}, {when}"
    elif len(times) > 1:
        text = f"{text}, at varying times"
    return Rhythm(text, len(rows), weekday, every)


_STATED_EVERY = [
    ("fortnightly", r"every other|fortnight|bi-?weekly|every (two|2) weeks|alternate"),
    ("monthly", r"monthly|every month|each month|once a month"),
    (
        "weekly",
        r"weekly|every week|each week"
        r"|every (monday|tuesday|wednesday|thursday|friday|saturday|sunday)",
    ),
]


def cadence_disagrees(stated: str, rhythm: Rhythm | None) -> bool:
    """Whether the free-text cadence names a weekday or a rhythm the sessions do not keep.
    Text that names neither ("Thursday evenings" names one) is never flagged."""
    if rhythm is None or not stated.strip():
        return False
    text = stated.lower()
    named = {i for i, day in enumerate(WEEKDAYS) if day.lower() in text}
    if named and (rhythm.weekday is None or rhythm.weekday not in named):
        return True
    if rhythm.count < 2:
        return False
    said = next((every for every, pattern in _STATED_EVERY if re.search(pattern, text)), None)
    return said is not None and said != rhythm.every
