"""The rendered HTML of posts, built once and reused (see ``forget``)."""

from __future__ import annotations

from collections.abc import Iterable


def forget(post_ids: Iterable[int]) -> None:
    """Drop what is cached for these posts (their text, state or reactions changed)."""
