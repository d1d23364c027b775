"""Fixtures for the console, sessions, calendar and invitation pages.

Cohorts and memberships are built through the real services (propose, submit, review,
activate, request and accept), so guardian groups are exactly what production has.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from cohorts.models import Cohort, CohortReview, Membership, Session
from cohorts.services import (
    cohort_activate,
    cohort_propose,
    cohort_review,
    cohort_submit,
    membership_accept,
    membership_join,
    session_create,
)
from competencies.models import Area

DESIGN = {
    "description": "How campus-community partnerships can be reciprocal.",
    "design_knowledge": "Every session opens with a member's story.",
    "design_learning": "Facilitators bring a question they are still working on.",
    "design_identities": "Stories, art and oral traditions are welcome as ways of knowing.",
    "design_democratic": "Members choose the goals and rotate agenda planning.",
}


@pytest.fixture
def facilitator(make_user: Callable[..., User]) -> User:
    return make_user("facilitator@example.org", name="Fatima Facilitator")


@pytest.fixture
def make_cohort(framework: Any, facilitator: User, staff: User) -> Callable[..., Cohort]:
    """An active cohort proposed by ``facilitator`` and approved by ``staff``."""

    def make(title: str = "Reciprocal partnerships", **fields: Any) -> Cohort:
        fields = {
            **DESIGN,
            "term_start": date(2027, 2, 1),
            "term_end": date(2027, 5, 31),
            "cadence": "Every other Tuesday, 90 minutes",
            "capacity": 15,
            "time_zone": "America/Chicago",
            "join_policy": Cohort.JoinPolicy.REQUEST,
            **fields,
        }
        area = Area.objects.get(framework=framework, slug="partnerships")
        cohort = cohort_propose(by=facilitator, title=title, areas=[area], **fields)
        cohort_submit(cohort=cohort, by=facilitator)
        cohort_review(
            cohort=cohort,
            reviewer=staff,
            decision=CohortReview.Decision.APPROVE,
            message="Approved: a democratic design.",
            judgements={name: ("met", "") for name, _ in CohortReview.CRITERIA},
        )
        cohort_activate(cohort=cohort, by=facilitator)
        cohort.refresh_from_db()
        return cohort

    return make


@pytest.fixture
def cohort(make_cohort: Callable[..., Cohort]) -> Cohort:
    return make_cohort()


@pytest.fixture
def seat(facilitator: User) -> Callable[[Cohort, User], Membership]:
    """Request to join and be accepted: the real path for a join-by-request cohort."""

    def take_place(cohort: Cohort, user: User) -> Membership:
        request = membership_join(cohort=cohort, user=user, message="May I join?")
        return membership_accept(membership=request, by=facilitator)

    return take_place


@pytest.fixture
def cohort_member(cohort: Cohort, member: User, seat: Callable[..., Membership]) -> User:
    """``member`` (Mei Member) seated in ``cohort``."""
    seat(cohort, member)
    return member


@pytest.fixture
def add_members(
    make_user: Callable[..., User], seat: Callable[..., Membership]
) -> Callable[[Cohort, int], list[User]]:
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
        start = (timezone.now() + timedelta(days=days)).replace(second=0, microsecond=0)
        return session_create(
            cohort=cohort,
            by=facilitator,
            title=title,
            starts_at=start,
            ends_at=start + timedelta(minutes=90),
            **fields,
        )

    return add


@pytest.fixture
def anon() -> Client:
    return Client()


@pytest.fixture
def fac_client(facilitator: User, signed_in: Callable[[User], Client]) -> Client:
    return signed_in(facilitator)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)
