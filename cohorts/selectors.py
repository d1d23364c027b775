"""Reads that join: the directory, a cohort's pages, the facilitator console."""

from __future__ import annotations

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
from django.utils import timezone

from accounts.models import User
from cohorts.models import (
    Attendance,
    Cohort,
    GoalSupport,
    Invitation,
    LearningGoal,
    Membership,
    Session,
)
from cohorts.permissions import PUBLIC_STATES

M = Membership


def _facilitator_prefetch() -> Prefetch:
    return Prefetch(
        "memberships",
        queryset=Membership.objects.filter(
            role=M.Role.FACILITATOR, status=M.Status.ACTIVE
        ).select_related("user"),
        to_attr="active_facilitators",
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
        .prefetch_related("focus_areas", _facilitator_prefetch())
        .order_by("term_start", "title")
        .distinct()
    )


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
    prefetch_related_objects([cohort], "focus_areas", "focus_competencies", _facilitator_prefetch())
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


def review_queue() -> QuerySet[Cohort]:
    return (
        Cohort.objects.filter(state=Cohort.State.SUBMITTED)
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
