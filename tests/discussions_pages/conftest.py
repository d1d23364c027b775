# ruff: noqa: F811  (fixture parameters share the names of the fixtures imported below)
"""Fixtures for the discussion pages, built with the real services: a cohort with a
facilitator, two active members, a removed member, an outsider, and a thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from tests.discussions_fixtures import (  # noqa: F401  (shared fixtures, used by name)
    cohort,
    enrollment_period,
    facilitator,
    make_cohort,
    other_cohort_thread,
    other_thread,
    peer,
    removed,
    seat,
    thread,
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
