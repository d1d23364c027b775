"""Fixtures only the cohort tests use, built with the real services (the shared ones, and
``make_cohort``/``seat``, are in ``tests/factories.py``).

- ``approved_cohort``: "Reciprocal partnerships", listed, join by request, capacity 3, in
  ``enrollment_period``; ``facilitator`` facilitates and ``cohort_member`` is a member.
- ``cohort_member``: Cal Member (they/them), seated in ``approved_cohort``.
- ``draft_cohort``: a draft by ``facilitator``.
- ``propose(by=facilitator, title=..., **fields)``: a complete draft proposal (term Feb-May
  2027, partnerships area); ``bring_to(cohort, state)`` walks it to ``state`` with
  ``facilitator`` acting and ``staff`` reviewing; ``cohort_in_state(state="approved",
  **fields)`` does both.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from accounts.models import User
from cohorts.models import Cohort, EnrollmentPeriod, Membership
from cohorts.services import (
    cohort_activate,
    cohort_archive,
    cohort_conclude,
    cohort_propose,
    cohort_review,
    cohort_submit,
)
from competencies.models import Area
from tests.helpers import judgements

S = Cohort.State

DESIGN: dict[str, str] = {
    "description": "We explore how campus-community partnerships can be reciprocal.",
    "design_knowledge": "Every session opens with a member's story from their own practice.",
    "design_learning": "Facilitators bring a question they are still working on.",
    "design_identities": "We invite stories, art and oral traditions as ways of knowing.",
    "design_democratic": "Members choose the learning goals and rotate agenda planning.",
}


@pytest.fixture
def cohort_member(make_user: Callable[..., User]) -> User:
    return make_user("cohort.member@example.org", name="Cal Member", pronouns="they/them")


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
def cohort_in_state(
    propose: Callable[..., Cohort], bring_to: Callable[[Cohort, str], Cohort]
) -> Callable[..., Cohort]:
    """``cohort_in_state(state="approved", **fields)``: ``propose(**fields)`` brought to
    ``state`` (approved unless asked for another)."""

    def make(*, state: str = S.APPROVED, **fields: Any) -> Cohort:
        return bring_to(propose(**fields), state)

    return make
