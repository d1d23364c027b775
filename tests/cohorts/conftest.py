"""Cohort fixtures, built with the real services (no factories that skip the rules).

Other test modules import these; keep their names and shapes stable:
``facilitator``, ``cohort_member``, ``approved_cohort`` (listed, join by request, capacity 3,
``facilitator`` facilitating and ``cohort_member`` an active member), ``draft_cohort``,
and the factories ``make_cohort`` and ``seat``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from accounts.models import User
from accounts.roles import PlatformRole
from cohorts import services
from cohorts.models import Cohort, CohortReview, EnrollmentPeriod, Membership

DESIGN = {
    "design_knowledge": "Every session opens with a member sharing a practice story.",
    "design_learning": "Facilitators bring their own open questions and rotate out of leading.",
    "design_identities": "Members choose how to share: story, image, framework or data.",
    "design_democratic": "Members propose and vote on goals and shape each agenda.",
}
APPROVE_ALL = {name: ("met", "Clear.") for name, _ in CohortReview.CRITERIA}


@pytest.fixture
def facilitator(make_user: Callable[..., User]) -> User:
    return make_user("facilitator@example.org", name="Fay Facilitator", pronouns="she/her")


@pytest.fixture
def cohort_member(make_user: Callable[..., User]) -> User:
    return make_user("cohort.member@example.org", name="Cal Member", pronouns="they/them")


@pytest.fixture
def enrollment_period(db: Any) -> EnrollmentPeriod:
    return EnrollmentPeriod.objects.create(
        slug="fall-2031",
        name="Fall 2031",
        opens_on=dt.date(2031, 9, 1),
        closes_on=dt.date(2031, 10, 15),
    )


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
def seat() -> Callable[..., Membership]:
    """``seat(cohort, user)``: make ``user`` an active member the way people really join
    (join an open cohort, or request and be accepted by a facilitator)."""

    def do(cohort: Cohort, user: User) -> Membership:
        membership = services.membership_join(cohort=cohort, user=user)
        if membership.status == Membership.Status.REQUESTED:
            facilitator = (
                Membership.objects.filter(
                    cohort=cohort,
                    role=Membership.Role.FACILITATOR,
                    status=Membership.Status.ACTIVE,
                )
                .select_related("user")
                .first()
            )
            assert facilitator is not None
            membership = services.membership_accept(membership=membership, by=facilitator.user)
        return membership

    return do


@pytest.fixture
def approved_cohort(
    make_cohort: Callable[..., Cohort],
    seat: Callable[..., Membership],
    facilitator: User,
    cohort_member: User,
    enrollment_period: EnrollmentPeriod,
) -> Cohort:
    cohort = make_cohort(
        by=facilitator,
        title="Reciprocal partnerships",
        capacity=3,
        join_policy=Cohort.JoinPolicy.REQUEST,
        enrollment_period=enrollment_period,
    )
    seat(cohort, cohort_member)
    return cohort


@pytest.fixture
def draft_cohort(make_cohort: Callable[..., Cohort], facilitator: User) -> Cohort:
    return make_cohort(by=facilitator, title="A cohort in the making", state=Cohort.State.DRAFT)
