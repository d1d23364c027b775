"""Fixtures only the discussion tests use (``cohort``, ``thread``, ``other_thread`` and the
role accounts are shared: ``tests/conftest.py`` and ``tests/factories.py``).

- ``peer``: Pat Peer, a second member seated in ``cohort``.
- ``removed``: Rory Removed, seated in ``cohort`` and then removed by ``facilitator``.
- ``roles``: who's who for permission tables, by key: "anonymous" (None), "outsider",
  "removed", "member", "facilitator".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from accounts.models import User
from cohorts import services as cohort_services
from cohorts.models import Cohort, Membership


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
def roles(member: User, facilitator: User, outsider: User, removed: User) -> dict[str, Any]:
    return {
        "anonymous": None,
        "outsider": outsider,
        "removed": removed,
        "member": member,
        "facilitator": facilitator,
    }


@pytest.fixture
def announced(django_capture_on_commit_callbacks: Any) -> Callable[..., Any]:
    """``announced(**kwargs)``: ``post_create`` and then what runs once it commits (the
    publish to the thread's sockets and the ``post_announce`` task that tells followers and
    the people mentioned; tasks run at once in the tests)."""
    from discussions.services import post_create

    def create(**kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return post_create(**kwargs)

    return create
