"""Fixtures for the discussions API, notifications, digests, search and demo data; built
with the real services (cohort lifecycle, membership, thread and post creation)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

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
    roles,
    seat,
    thread,
)


@pytest.fixture
def api() -> Callable[[User | None], APIClient]:
    def make(user: User | None = None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make
