"""The last place, taken by several people at the same moment (PostgreSQL only).

Each thread has its own database connection and transaction, and a barrier releases them
together, so without the row lock on the cohort several of them would count the same free
place. SQLite serialises writers by locking the whole file, so only PostgreSQL can show it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from accounts.models import User
from cohorts.models import Cohort, Membership
from cohorts.services import membership_accept, membership_join

pytestmark = pytest.mark.services

M = Membership
ROUNDS = 4


def require_postgresql() -> None:
    """Fail (never skip): a run that cannot exercise the locks must not look green."""
    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine:
        pytest.fail(
            "the concurrency tests need PostgreSQL (row locks, one connection per thread); "
            f"run them with `make test-services` or DATABASE_URL=postgres://... (engine is "
            f"{engine})",
            pytrace=False,
        )


def run_together(jobs: list[Callable[[], Any]]) -> list[Any]:
    """Run every job in its own thread (and database connection), released at once."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def worker(index: int, job: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = job()
        except BaseException as error:  # reported below, in the test's thread
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a worker thread hung"
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, f"worker threads failed: {errors!r}"
    return results


def counts(cohort: Cohort) -> dict[str, int]:
    rows = M.objects.filter(cohort=cohort, role=M.Role.MEMBER).values_list("status", flat=True)
    return {status: list(rows).count(status) for status in set(rows)}


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_many_people_joining_an_open_cohort_at_once_never_exceed_capacity(
    transactional_db: Any,
    cohort_in_state: Callable[..., Cohort],
    people: Callable[[int], list[User]],
    round_: int,
) -> None:
    require_postgresql()
    capacity, crowd_size = 3, 10
    cohort = cohort_in_state(join_policy="open", capacity=capacity)
    crowd = people(crowd_size)

    results = run_together(
        [lambda person=person: membership_join(cohort=cohort, user=person) for person in crowd]
    )

    assert counts(cohort) == {"active": capacity, "waitlisted": crowd_size - capacity}, (
        f"round {round_}: capacity {capacity} was not respected under concurrent joins"
    )
    assert sorted(r.status for r in results).count("active") == capacity
    member_group_size = cohort.member_group.user_set.count()
    assert member_group_size == capacity


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_facilitators_accepting_two_requests_for_the_last_place_seat_only_one(
    transactional_db: Any,
    cohort_in_state: Callable[..., Cohort],
    seat: Callable[..., Membership],
    people: Callable[[int], list[User]],
    facilitator: User,
    cofacilitator: User,
    round_: int,
) -> None:
    require_postgresql()
    from cohorts.services import invitation_accept, invitation_create

    cohort = cohort_in_state(join_policy="request", capacity=2)
    _, token = invitation_create(
        cohort=cohort, by=facilitator, email=cofacilitator.email, role="facilitator"
    )
    invitation_accept(token=token, user=cofacilitator)
    seated, first, second = people(3)
    seat(cohort, seated)  # one place left
    requests = [membership_join(cohort=cohort, user=p) for p in (first, second)]

    results = run_together(
        [
            lambda: membership_accept(membership=requests[0], by=facilitator),
            lambda: membership_accept(membership=requests[1], by=cofacilitator),
        ]
    )

    assert counts(cohort) == {"active": 2, "waitlisted": 1}, (
        f"round {round_}: two facilitators both gave away the last place"
    )
    assert sorted(r.status for r in results) == ["active", "waitlisted"]
