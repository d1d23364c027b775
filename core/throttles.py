"""The API's rate limits, counted so that they hold under concurrent requests.

DRF's own throttles keep each client's list of request times in the cache, read it, add
one and write it back. Two requests at the same moment (two keep-alive connections, two
daphne processes) each write back a list without the other's entry, so under concurrent
load many requests are never counted and a client can go well past its rate. These count
with the cache's atomic increment instead (Redis INCR across processes, a lock in the local
memory cache), in buckets of a sixth of the period: the limit applies to the buckets inside
the last ``duration`` seconds, the oldest one weighted by how much of it is still inside
(so the count is exact for requests of the last five sixths of the period, and off by at
most a share of one bucket before that). Refused requests count too, so a client that
keeps hammering stays refused until it slows down.
"""

from __future__ import annotations

from typing import Any

from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

# The period is counted in this many buckets.
BUCKETS = 6


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
        width = self.duration / BUCKETS
        bucket = int(now // width)
        current = f"{self.key}:b{bucket}"
        # Kept for a whole period and one bucket more: later requests still read it.
        ttl = int(self.duration + 2 * width) + 1
        self.cache.add(current, 0, ttl)
        try:
            count = self.cache.incr(current)
        except ValueError:  # expired between add and incr
            self.cache.set(current, 1, ttl)
            count = 1
        older = [f"{self.key}:b{bucket - n}" for n in range(1, BUCKETS + 1)]
        found = self.cache.get_many(older)
        counts = [int(found.get(key, 0)) for key in older]
        # The oldest bucket is partly outside the last ``duration`` seconds.
        inside = 1 - (now - bucket * width) / width
        estimate = count + sum(counts[:-1]) + counts[-1] * inside
        if estimate <= self.num_requests:
            return True
        # Until enough of the oldest requests have left the period (at most one bucket
        # after the next is reached, then the next bucket, …): a whole bucket at the least.
        self.wait_seconds = max(1.0, (bucket + 1) * width - now)
        return False

    def wait(self) -> float | None:
        return self.wait_seconds


class AnonThrottle(AtomicRateThrottle, AnonRateThrottle):
    """Anonymous callers, per client address (scope ``anon``)."""


class UserThrottle(AtomicRateThrottle, UserRateThrottle):
    """Signed-in callers per person, others per address (scope ``user``)."""
