"""The journal's full-text index (filled in by the search work)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def index_entry(entry: Any) -> None:
    """Keep ``entry``'s row of the search index in step (same transaction)."""


def remove_entries(ids: Iterable[int]) -> None:
    """Drop rows of entries deleted for good."""
