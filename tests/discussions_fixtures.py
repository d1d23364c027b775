"""Fixtures shared by the discussions test packages, built with the real services: a
cohort with a facilitator and an active member, a peer, a removed member, a thread started
by the member, and a thread in someone else's cohort."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from accounts.models import User
from cohorts import services as cohort_services
from cohorts.models import Cohort, Membership
from discussions.models import Thread
from discussions.services import thread_create
from tests.cohorts import conftest as cohort_fixtures

# The cohort fixtures, used under their own names.
enrollment_period = cohort_fixtures.enrollment_period
facilitator = cohort_fixtures.facilitator
make_cohort = cohort_fixtures.make_cohort
seat = cohort_fixtures.seat


@pytest.fixture
def cohort(
    make_cohort: Callable[..., Cohort],
    seat: Callable[..., Membership],
    facilitator: User,
    member: User,
) -> Cohort:
    cohort = make_cohort(by=facilitator, title="Reciprocal partnerships", capacity=12)
    seat(cohort, member)
    return cohort


@pytest.fixture
def peer(make_user: Callable[..., User], cohort: Cohort, seat: Callable[..., Membership]) -> User:
    person = make_user("peer@example.org", name="Pat Peer")
    seat(cohort, person)
    return person


@pytest.fixture
def removed(
    make_user: Callable[..., User],
    cohort: Cohort,
    seat: Callable[..., Membership],
    facilitator: User,
) -> User:
    person = make_user("removed@example.org", name="Rory Removed")
    membership = seat(cohort, person)
    cohort_services.membership_remove(membership=membership, by=facilitator)
    return person


@pytest.fixture
def thread(cohort: Cohort, member: User) -> Thread:
    return thread_create(
        cohort=cohort, author=member, title="Reading for next week", body="What did you think?"
    )


@pytest.fixture
def other_thread(make_cohort: Callable[..., Cohort], make_user: Callable[..., User]) -> Thread:
    host = make_user(name="Hana Host")
    other = make_cohort(by=host, title="Another cohort entirely", capacity=12)
    return thread_create(cohort=other, author=host, title="Not yours", body="Private talk")


# The same thread under the name the consumer tests use.
other_cohort_thread = other_thread


@pytest.fixture
def roles(member: User, facilitator: User, outsider: User, removed: User) -> dict[str, Any]:
    return {
        "anonymous": None,
        "outsider": outsider,
        "member": member,
        "facilitator": facilitator,
        "removed": removed,
    }
