"""The API's rate limits hold when requests arrive at the same time: each request is
counted with the cache's atomic increment, so none is lost to another written back over it
(DRF's own throttles read, append and write back a list of times)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from rest_framework.test import APIRequestFactory

from accounts.models import User
from core.throttles import AnonThrottle, UserThrottle


class _View:
    """The one thing a throttle asks of its view."""


def _allowed(throttle_class: type, user: Any, *, address: str = "203.0.113.9") -> bool:
    request = APIRequestFactory().get("/api/v1/me/", REMOTE_ADDR=address)
    request.user = user
    return throttle_class().allow_request(request, _View())


@pytest.fixture
def rates(monkeypatch: pytest.MonkeyPatch) -> None:
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"user": "40/min", "anon": "5/min"})


@pytest.mark.django_db
def test_concurrent_requests_are_each_counted(rates: None, member: User) -> None:
    answers: list[bool] = []
    lock = threading.Lock()

    def burst() -> None:
        for _ in range(10):
            allowed = _allowed(UserThrottle, member)
            with lock:
                answers.append(allowed)

    threads = [threading.Thread(target=burst) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # 80 requests from 8 threads at once against 40 a minute: exactly 40 pass.
    assert answers.count(True) == 40
    assert answers.count(False) == 40


@pytest.mark.django_db
def test_the_limit_slides_and_says_when_to_retry(
    rates: None, member: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = {"now": 6_000_050.0}  # 50 s into a minute: requests near a minute's end
    monkeypatch.setattr(UserThrottle, "timer", lambda self: clock["now"])
    assert all(_allowed(UserThrottle, member) for _ in range(40))
    throttle = UserThrottle()
    request = APIRequestFactory().get("/api/v1/me/")
    request.user = member
    assert not throttle.allow_request(request, _View())
    assert 1 <= throttle.wait() <= 10
    # 20 s later a new minute has begun, but those 41 requests are still within the last
    # 60 s: refused (a fixed window would have let 40 more in).
    clock["now"] += 20
    assert not _allowed(UserThrottle, member)
    # A minute and a bucket after the last of them (refused ones count too), all are gone.
    clock["now"] += 80
    assert sum(_allowed(UserThrottle, member) for _ in range(40)) == 40
    assert not _allowed(UserThrottle, member)


@pytest.mark.django_db
def test_anonymous_callers_are_limited_per_address(rates: None) -> None:
    from django.contrib.auth.models import AnonymousUser

    nobody = AnonymousUser()
    assert [_allowed(AnonThrottle, nobody) for _ in range(6)] == [True] * 5 + [False]
    assert _allowed(AnonThrottle, nobody, address="198.51.100.7")
