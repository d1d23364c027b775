"""Counted allowances per person and day (outbound mail, new proposals), kept in the
shared cache so every process counts against the same number when the cache is Redis.

A fixed window per UTC day: simple to explain to a person ("50 a day"), and a refusal
costs nothing, so a script that keeps asking cannot push the next day's allowance away.
"""

from __future__ import annotations

import contextlib

from django.core.cache import cache
from django.utils import timezone

DAY_SECONDS = 24 * 60 * 60


def _key(name: str, subject: int | str) -> str:
    return f"quota:{name}:{subject}:{timezone.now():%Y-%m-%d}"


def used(name: str, subject: int | str) -> int:
    return int(cache.get(_key(name, subject), 0))


def take(name: str, subject: int | str, *, limit: int, amount: int = 1) -> bool:
    """Count ``amount`` more against ``subject``'s daily ``limit`` of ``name``; False (and
    nothing counted) when that would go over it."""
    if amount <= 0:
        return True
    key = _key(name, subject)
    # add() is a no-op when the key exists; incr() is atomic in Redis and in locmem.
    cache.add(key, 0, DAY_SECONDS + 60)
    try:
        total = cache.incr(key, amount)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 0, DAY_SECONDS + 60)
        total = cache.incr(key, amount)
    if total > limit:
        cache.decr(key, amount)
        return False
    return True


def give_back(name: str, subject: int | str, *, amount: int = 1) -> None:
    """Return what :func:`take` counted for work that was then not done."""
    if amount <= 0:
        return
    with contextlib.suppress(ValueError):  # the day ended meanwhile: nothing to return
        cache.decr(_key(name, subject), amount)
