# ruff: noqa: F811  (fixture parameters share the names of the fixtures imported below)
"""Fixtures for the discussion pages, built with the real services: a cohort with a
facilitator, two active members, a removed member, an outsider, and a thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from cohorts import services as cohort_services
from cohorts.models import Cohort, Membership
from discussions.models import Thread
from discussions.services import thread_create
from tests.cohorts.conftest import (  # noqa: F401  (fixtures used by this package)
    enrollment_period,
    facilitator,
    make_cohort,
    seat,
)


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
def roles(member: User, facilitator: User, outsider: User, removed: User) -> dict[str, Any]:
    return {
        "anonymous": None,
        "outsider": outsider,
        "removed": removed,
        "member": member,
        "facilitator": facilitator,
    }


@pytest.fixture
def client_for(signed_in: Callable[[User], Client]) -> Callable[[User | None], Client]:
    def make(user: User | None) -> Client:
        return Client() if user is None else signed_in(user)

    return make
