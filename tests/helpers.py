"""Plain helpers shared by test modules (no fixtures here; those are in conftest.py and
factories.py). Test modules import from here, never from each other."""

from __future__ import annotations

from typing import Any

from cohorts.models import CohortReview

# The session form as a facilitator fills it in (the session pages post it).
SESSION_FORM = {
    "title": "Sharing frameworks",
    "time_zone": "America/Chicago",
    "starts_at": "2027-03-09T10:00",
    "ends_at": "2027-03-09T11:30",
    "video_url": "https://meet.example.org/cop",
    "place": "",
    "agenda": "- Bring **one** framework",
    "prework": "Read [the chapter](https://example.org/ch1)",
    "materials": "",
    "notes": "",
}


def judgements(value: str = "met", **overrides: str) -> dict[str, tuple[str, str]]:
    """A full set of review judgements, each with a note; ``overrides`` change single ones."""
    result = {name: (value, f"Note on {name}.") for name, _ in CohortReview.CRITERIA}
    for name, judgement in overrides.items():
        result[name] = (judgement, f"Note on {name}.")
    return result


class BrokenBackend:
    """An e-mail backend whose server refuses every message
    (``settings.EMAIL_BACKEND = "tests.helpers.BrokenBackend"``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def send_messages(self, messages: Any) -> int:
        raise ConnectionRefusedError("mail server down")


def clear_cache() -> None:
    """Empty this test process's cache. On Redis ``cache.clear()`` is FLUSHDB, which would
    also empty the other test workers' caches and channel layers on the same database (a
    post cache emptied under another worker's test); only this process's keys go."""
    from django.conf import settings
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        backend.clear()  # in-memory: this process's own
        return
    client = backend._cache.get_client(None, write=True)
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)
