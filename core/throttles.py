"""The API's rate limits, counted so that they hold under concurrent requests.

DRF's own throttles keep each client's list of request times in the cache, read it, add
one and write it back. Two requests at the same moment (two keep-alive connections, two
daphne processes) each write back a list without the other's entry, so under concurrent
load many requests are never counted and a client can go well past its rate. These count
with the cache's atomic increment instead (Redis INCR across processes, a lock in the local
memory cache): one counter per client per fixed window, and the limit applies to a sliding
estimate, the current window's count plus the previous window's weighted by how much of it
still overlaps the last ``duration`` seconds. Refused requests count too, so a client that
keeps hammering stays refused until it slows down.
"""

from __future__ import annotations

import math
from typing import Any

from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle


class AtomicRateThrottle(SimpleRateThrottle):
    """A :class:`SimpleRateThrottle` counted with atomic increments (see the module)."""

    wait_seconds: float | None = None

    def allow_request(self, request: Any, view: Any) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        now = self.timer()
        window = int(now // self.duration)
        current = f"{self.key}:w{window}"
        # Kept for two windows: the next window still reads this one as its previous.
        self.cache.add(current, 0, self.duration * 2)
        try:
            count = self.cache.incr(current)
        except ValueError:  # expired between add and incr
            self.cache.set(current, 1, self.duration * 2)
            count = 1
        previous = self.cache.get(f"{self.key}:w{window - 1}", 0)
        into = (now - window * self.duration) / self.duration
        estimate = previous * (1 - into) + count
        if estimate <= self.num_requests:
            return True
        # Until the previous window's share has shrunk enough (or this window ends).
        over = estimate - self.num_requests
        shrink = over / previous * self.duration if previous else math.inf
        self.wait_seconds = max(1.0, min(shrink, (window + 1) * self.duration - now))
        return False

    def wait(self) -> float | None:
        return self.wait_seconds


class AnonThrottle(AtomicRateThrottle, AnonRateThrottle):
    """Anonymous callers, per client address (scope ``anon``)."""


class UserThrottle(AtomicRateThrottle, UserRateThrottle):
    """Signed-in callers per person, others per address (scope ``user``)."""
