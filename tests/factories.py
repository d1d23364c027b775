"""Factories: fixtures that build cohorts, seats, sessions, threads and posts through the real
services (never by writing rows directly), so guardian groups and counters are exactly what
production has. Registered for every test folder by ``tests/conftest.py``.

Cohorts:
- ``make_cohort(by=user, state="approved", title=..., areas=None, **fields)``: proposed by
  ``by`` and walked through the lifecycle (submit, a fresh staff reviewer approves, activate,
  conclude, archive) up to any ``state`` (draft, submitted, changes_requested, rejected,
  approved, active, concluded, archived). Term in 2031, capacity 12, join by request, listed.
- ``make_active_cohort(title=..., **fields)``: an *active* cohort proposed by ``facilitator``
  and approved by ``staff``; partnerships area, term Feb-May 2027, capacity 15, Chicago time.
- ``cohort``: an approved cohort by ``facilitator`` (capacity 12) with ``member`` seated.
- ``active_cohort``: ``make_active_cohort()``; ``active_cohort_member``: ``member`` seated in it.

People and content:
- ``seat(cohort, user)``: gives ``user`` an active place the way the cohort's join policy
  says (join an open cohort; request "May I join?" and be accepted by the cohort's first
  facilitator; or be invited by that facilitator and accept).
- ``add_members(cohort, n)``: ``n`` new people seated; ``people(n, prefix)``: ``n`` new users.
- ``add_session(cohort, days=7, title=..., **fields)``: a 90-minute session ``days`` from now,
  created by ``facilitator``.
- ``thread``: a thread started by ``member`` in ``cohort``; ``other_thread``: a thread in
  another cohort (hosted by Hana Host) that none of the role fixtures belong to.
- ``make_thread(cohort, author, title=..., body=...)``, ``make_post(thread, author, body)``.
- ``enrollment_period`` (Fall 2031), ``partnerships`` (the framework's Partnerships area).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import User
from accounts.roles import PlatformRole
from cohorts import services
from cohorts.models import Cohort, CohortReview, EnrollmentPeriod, Membership, Session
from competencies.models import Area
from discussions.models import Post, Thread
from discussions.services import post_create, thread_create

DESIGN = {
    "design_knowledge": "Every session opens with a member sharing a practice story.",
    "design_learning": "Facilitators bring their own open questions and rotate out of leading.",
    "design_identities": "Members choose how to share: story, image, framework or data.",
    "design_democratic": "Members propose and vote on goals and shape each agenda.",
}
APPROVE_ALL = {name: ("met", "Clear.") for name, _ in CohortReview.CRITERIA}

ACTIVE_DESIGN = {
    "description": "How campus-community partnerships can be reciprocal.",
    "design_knowledge": "Every session opens with a member's story.",
    "design_learning": "Facilitators bring a question they are still working on.",
    "design_identities": "Stories, art and oral traditions are welcome as ways of knowing.",
    "design_democratic": "Members choose the goals and rotate agenda planning.",
}


@pytest.fixture
def enrollment_period(db: Any) -> EnrollmentPeriod:
    return EnrollmentPeriod.objects.create(
        slug="fall-2031",
        name="Fall 2031",
        opens_on=dt.date(2031, 9, 1),
        closes_on=dt.date(2031, 10, 15),
    )


@pytest.fixture
def partnerships(framework: Any) -> Area:
    return Area.objects.get(framework=framework, slug="partnerships")


@pytest.fixture
def make_cohort(framework: Any, make_user: Callable[..., User]) -> Callable[..., Cohort]:
    """``make_cohort(by=user, state="approved", **fields)``: propose through the service,
    then walk the lifecycle (submit, staff approval, activate...) up to ``state``."""
    reviewer: dict[str, User] = {}

    def make(
        *,
        by: User,
        title: str = "Partnerships in practice",
        state: str = Cohort.State.APPROVED,
        areas: list[Any] | None = None,
        **fields: Any,
    ) -> Cohort:
        fields = {
            "description": "We learn **together** about reciprocal partnerships.",
            "term_start": dt.date(2031, 9, 1),
            "term_end": dt.date(2031, 12, 15),
            "cadence": "Every other Tuesday, 90 minutes",
            "time_zone": "America/Chicago",
            "capacity": 12,
            "join_policy": Cohort.JoinPolicy.REQUEST,
            "listed": True,
            **DESIGN,
            **fields,
        }
        if areas is None:
            areas = [framework.areas.order_by("order").first()]
        cohort = services.cohort_propose(by=by, title=title, areas=areas, **fields)
        if state == Cohort.State.DRAFT:
            return cohort
        services.cohort_submit(cohort=cohort, by=by)
        if state == Cohort.State.SUBMITTED:
            return cohort
        if "staff" not in reviewer:
            reviewer["staff"] = make_user(name="Rae Reviewer", role=PlatformRole.PROGRAM_STAFF)
        decision = {
            Cohort.State.CHANGES_REQUESTED: "request_changes",
            Cohort.State.REJECTED: "reject",
        }.get(state, "approve")
        services.cohort_review(
            cohort=cohort,
            reviewer=reviewer["staff"],
            decision=decision,
            message="Thank you for this thoughtful design.",
            judgements=APPROVE_ALL,
        )
        steps = [
            (Cohort.State.ACTIVE, services.cohort_activate),
            (Cohort.State.CONCLUDED, services.cohort_conclude),
            (Cohort.State.ARCHIVED, services.cohort_archive),
        ]
        if state in (Cohort.State.ACTIVE, Cohort.State.CONCLUDED, Cohort.State.ARCHIVED):
            for target, step in steps:
                step(cohort=cohort, by=by)
                if target == state:
                    break
        cohort.refresh_from_db()
        return cohort

    return make


@pytest.fixture
def make_active_cohort(framework: Any, facilitator: User, staff: User) -> Callable[..., Cohort]:
    """An active cohort proposed by ``facilitator`` and approved by ``staff``."""

    def make(title: str = "Reciprocal partnerships", **fields: Any) -> Cohort:
        fields = {
            **ACTIVE_DESIGN,
            "term_start": dt.date(2027, 2, 1),
            "term_end": dt.date(2027, 5, 31),
            "cadence": "Every other Tuesday, 90 minutes",
            "capacity": 15,
            "time_zone": "America/Chicago",
            "join_policy": Cohort.JoinPolicy.REQUEST,
            **fields,
        }
        area = Area.objects.get(framework=framework, slug="partnerships")
        cohort = services.cohort_propose(by=facilitator, title=title, areas=[area], **fields)
        services.cohort_submit(cohort=cohort, by=facilitator)
        services.cohort_review(
            cohort=cohort,
            reviewer=staff,
            decision=CohortReview.Decision.APPROVE,
            message="Approved: a democratic design.",
            judgements={name: ("met", "") for name, _ in CohortReview.CRITERIA},
        )
        services.cohort_activate(cohort=cohort, by=facilitator)
        cohort.refresh_from_db()
        return cohort

    return make


def _first_facilitator(cohort: Cohort) -> User:
    membership = (
        Membership.objects.filter(
            cohort=cohort, role=Membership.Role.FACILITATOR, status=Membership.Status.ACTIVE
        )
        .select_related("user")
        .order_by("pk")
        .first()
    )
    assert membership is not None, f"{cohort} has no active facilitator"
    return membership.user


@pytest.fixture
def seat() -> Callable[[Cohort, User], Membership]:
    """``seat(cohort, user)``: give ``user`` an active place through the service the
    cohort's join policy uses (join an open cohort; request and be accepted by the cohort's
    facilitator; or be invited by the facilitator and accept)."""

    def take_place(cohort: Cohort, user: User) -> Membership:
        if cohort.join_policy == Cohort.JoinPolicy.OPEN:
            return services.membership_join(cohort=cohort, user=user)
        if cohort.join_policy == Cohort.JoinPolicy.REQUEST:
            request = services.membership_join(cohort=cohort, user=user, message="May I join?")
            if request.status != Membership.Status.REQUESTED:
                return request
            return services.membership_accept(membership=request, by=_first_facilitator(cohort))
        _, token = services.invitation_create(
            cohort=cohort, by=_first_facilitator(cohort), email=user.email
        )
        return services.invitation_accept(token=token, user=user)

    return take_place


@pytest.fixture
def people(make_user: Callable[..., User]) -> Callable[..., list[User]]:
    """``people(n, prefix="person")``: ``n`` new users named "<Prefix> <i>"."""

    def make(n: int, prefix: str = "person") -> list[User]:
        return [make_user(name=f"{prefix.title()} {i}") for i in range(n)]

    return make


@pytest.fixture
def add_members(
    make_user: Callable[..., User], seat: Callable[..., Membership]
) -> Callable[[Cohort, int], list[User]]:
    """``add_members(cohort, n)``: ``n`` new people ("Member 00"...) seated in ``cohort``."""

    def add(cohort: Cohort, n: int) -> list[User]:
        people = [make_user(name=f"Member {i:02d}") for i in range(n)]
        for person in people:
            seat(cohort, person)
        return people

    return add


@pytest.fixture
def add_session(facilitator: User) -> Callable[..., Session]:
    """A session starting ``days`` from now (negative: in the past), 90 minutes long."""

    def add(cohort: Cohort, days: float = 7, title: str = "Session", **fields: Any) -> Session:
        start = (timezone.now() + dt.timedelta(days=days)).replace(second=0, microsecond=0)
        return services.session_create(
            cohort=cohort,
            by=facilitator,
            title=title,
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=90),
            **fields,
        )

    return add


@pytest.fixture
def cohort(
    make_cohort: Callable[..., Cohort],
    seat: Callable[..., Membership],
    facilitator: User,
    member: User,
) -> Cohort:
    """An approved cohort facilitated by ``facilitator``, with ``member`` seated."""
    cohort = make_cohort(by=facilitator, title="Reciprocal partnerships", capacity=12)
    seat(cohort, member)
    return cohort


@pytest.fixture
def active_cohort(make_active_cohort: Callable[..., Cohort]) -> Cohort:
    """``make_active_cohort()``: active, facilitated by ``facilitator``, nobody seated."""
    return make_active_cohort()


@pytest.fixture
def active_cohort_member(
    active_cohort: Cohort, member: User, seat: Callable[..., Membership]
) -> User:
    """``member`` (Mei Member) seated in ``active_cohort``."""
    seat(active_cohort, member)
    return member


@pytest.fixture
def make_thread() -> Callable[..., Thread]:
    """``make_thread(cohort, author, title=..., body=..., **fields)`` through ``thread_create``."""

    def make(
        cohort: Cohort,
        author: User,
        title: str = "A thread",
        body: str = "Opening words.",
        **fields: Any,
    ) -> Thread:
        return thread_create(cohort=cohort, author=author, title=title, body=body, **fields)

    return make


@pytest.fixture
def make_post() -> Callable[..., Post]:
    """``make_post(thread, author, body="...", **fields)`` through ``post_create``."""

    def make(thread: Thread, author: User, body: str = "A reply.", **fields: Any) -> Post:
        post, _ = post_create(thread=thread, author=author, body=body, **fields)
        return post

    return make


@pytest.fixture
def thread(cohort: Cohort, member: User) -> Thread:
    """A thread started by ``member`` in ``cohort``."""
    return thread_create(
        cohort=cohort, author=member, title="Reading for next week", body="What did you think?"
    )


@pytest.fixture
def other_thread(make_cohort: Callable[..., Cohort], make_user: Callable[..., User]) -> Thread:
    """A thread in another cohort, hosted by someone none of the role fixtures know."""
    host = make_user(name="Hana Host")
    other = make_cohort(by=host, title="Another cohort entirely", capacity=12)
    return thread_create(cohort=other, author=host, title="Not yours", body="Private talk")
