"""Fixtures for the cohort service tests: cohorts built through the real services.

Nothing here writes rows directly: a cohort reaches a state through the same services the
pages use (propose, submit, review, activate, ...), and people take places through the
membership services, so the guardian groups are exactly what production would have.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from accounts.models import User
from cohorts.models import Cohort, CohortReview, Membership
from cohorts.services import (
    cohort_activate,
    cohort_archive,
    cohort_conclude,
    cohort_propose,
    cohort_review,
    cohort_submit,
    invitation_accept,
    invitation_create,
    membership_accept,
    membership_join,
)
from competencies.models import Area

S = Cohort.State

DESIGN: dict[str, str] = {
    "description": "We explore how campus-community partnerships can be reciprocal.",
    "design_knowledge": "Every session opens with a member's story from their own practice.",
    "design_learning": "Facilitators bring a question they are still working on.",
    "design_identities": "We invite stories, art and oral traditions as ways of knowing.",
    "design_democratic": "Members choose the learning goals and rotate agenda planning.",
}


def judgements(value: str = "met", **overrides: str) -> dict[str, tuple[str, str]]:
    """A full set of review judgements, each with a note; ``overrides`` change single ones."""
    result = {name: (value, f"Note on {name}.") for name, _ in CohortReview.CRITERIA}
    for name, judgement in overrides.items():
        result[name] = (judgement, f"Note on {name}.")
    return result


@pytest.fixture
def facilitator(make_user: Callable[..., User]) -> User:
    return make_user("facilitator@example.org", name="Fatima Facilitator")


@pytest.fixture
def cofacilitator(make_user: Callable[..., User]) -> User:
    return make_user("cofacilitator@example.org", name="Diego Cofacilitator")


@pytest.fixture
def partnerships(framework: Any) -> Area:
    return Area.objects.get(framework=framework, slug="partnerships")


@pytest.fixture
def propose(facilitator: User, partnerships: Area) -> Callable[..., Cohort]:
    """A complete draft proposal (design answered, focus area chosen), by ``facilitator``."""

    def make(*, by: User | None = None, title: str = "Reciprocal partnerships", **fields: Any):
        fields = {
            **DESIGN,
            "term_start": date(2027, 2, 1),
            "term_end": date(2027, 5, 31),
            "cadence": "Every other Tuesday, 90 minutes",
            "capacity": 12,
            "join_policy": Cohort.JoinPolicy.REQUEST,
            **fields,
        }
        areas = fields.pop("areas", [partnerships])
        return cohort_propose(by=by or facilitator, title=title, areas=areas, **fields)

    return make


@pytest.fixture
def bring_to(staff: User, facilitator: User) -> Callable[[Cohort, str], Cohort]:
    """Walk a draft cohort through the real services until it is in ``state``."""

    def walk(cohort: Cohort, state: str) -> Cohort:
        path = {
            S.DRAFT: [],
            S.SUBMITTED: ["submit"],
            S.CHANGES_REQUESTED: ["submit", "request_changes"],
            S.REJECTED: ["submit", "reject"],
            S.APPROVED: ["submit", "approve"],
            S.ACTIVE: ["submit", "approve", "activate"],
            S.CONCLUDED: ["submit", "approve", "activate", "conclude"],
            S.ARCHIVED: ["submit", "approve", "activate", "conclude", "archive"],
        }[state]
        for step in path:
            if step == "submit":
                cohort_submit(cohort=cohort, by=facilitator)
            elif step in ("approve", "request_changes", "reject"):
                cohort_review(
                    cohort=cohort,
                    reviewer=staff,
                    decision=step,
                    message=f"Decision: {step}.",
                    judgements=judgements(),
                )
            elif step == "activate":
                cohort_activate(cohort=cohort, by=facilitator)
            elif step == "conclude":
                cohort_conclude(cohort=cohort, by=facilitator)
            elif step == "archive":
                cohort_archive(cohort=cohort, by=staff)
        cohort.refresh_from_db()
        assert cohort.state == state
        return cohort

    return walk


@pytest.fixture
def approved_cohort(
    propose: Callable[..., Cohort], bring_to: Callable[[Cohort, str], Cohort]
) -> Callable[..., Cohort]:
    """An approved cohort (``state`` may ask for a later one), with the given fields."""

    def make(*, state: str = S.APPROVED, **fields: Any) -> Cohort:
        return bring_to(propose(**fields), state)

    return make


@pytest.fixture
def seat(facilitator: User) -> Callable[[Cohort, User], Membership]:
    """Give ``user`` a place through the service the cohort's join policy uses."""

    def take_place(cohort: Cohort, user: User) -> Membership:
        if cohort.join_policy == Cohort.JoinPolicy.OPEN:
            membership = membership_join(cohort=cohort, user=user)
        elif cohort.join_policy == Cohort.JoinPolicy.REQUEST:
            request = membership_join(cohort=cohort, user=user, message="May I join?")
            membership = membership_accept(membership=request, by=facilitator)
        else:
            _, token = invitation_create(cohort=cohort, by=facilitator, email=user.email)
            membership = invitation_accept(token=token, user=user)
        return membership

    return take_place


@pytest.fixture
def people(make_user: Callable[..., User]) -> Callable[[int], list[User]]:
    def make(n: int, prefix: str = "person") -> list[User]:
        return [make_user(name=f"{prefix.title()} {i}") for i in range(n)]

    return make
