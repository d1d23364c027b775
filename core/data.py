"""The personal-data registry: what each app holds about a person, for the "My data"
export and for account deletion. Each app registers one :class:`DataSource` in its
``AppConfig.ready`` (in its ``data.py``); ``core`` knows no domain word.

A source answers three questions about one person:

- ``collect(user, add_file)``: everything they wrote or uploaded, JSON-able. ``add_file``
  takes a stored file (anything with a ``path`` and an ``original_name``) or a path, and the
  name it should have under ``files/`` in the ZIP; it returns the name it was given there
  (names are made unique), for the JSON to point at, or None when its bytes are missing.
- ``summarize(user)``: the lines of the deletion statement, each with a count and its fate:
  ``deleted`` (private things: entries, packets, self-assessments, uploads only they hold)
  or ``kept`` (what others rely on: posts, shared resources, feedback given; shown as
  written by "A former member").
- ``erase(user)`` (optional): run inside the deletion's transaction before the account row
  goes, for what a ``CASCADE`` does not remove (soft-deleted leftovers, private text in rows
  that stay). It returns the ids of stored files the person held; those that no remaining
  row refers to are deleted with their bytes once the account is gone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from core.registry import Registry

# How shared content written by a deleted account is attributed.
FORMER_MEMBER = "A former member"

DELETED = "deleted"
KEPT = "kept"

# Puts a file in the ZIP; the name it got there (None if its bytes are missing).
AddFile = Callable[[Any, str], str | None]


@dataclass(frozen=True)
class DataLine:
    label: str
    count: int
    fate: str  # DELETED or KEPT

    def __post_init__(self) -> None:
        if self.fate not in (DELETED, KEPT):
            raise ValueError(f"a data line's fate is {DELETED!r} or {KEPT!r}, not {self.fate!r}")


@dataclass(frozen=True)
class DataSource:
    name: str
    label: str
    collect: Callable[[Any, AddFile], Any]
    summarize: Callable[[Any], list[DataLine]]
    erase: Callable[[Any], Iterable[Any]] | None = None


_sources: Registry[DataSource] = Registry("data source")


def register_data_source(source: DataSource) -> DataSource:
    return _sources.register(source.name, source)


def unregister_data_source(name: str) -> None:
    _sources.unregister(name)


def data_sources() -> list[DataSource]:
    """Every registered source, in registration order (which follows INSTALLED_APPS)."""
    return list(_sources)


def collect_all(user: Any, add_file: AddFile) -> dict[str, Any]:
    """One key per source: what ``user`` has there."""
    return {source.name: source.collect(user, add_file) for source in data_sources()}


@dataclass(frozen=True)
class Summary:
    source: DataSource
    lines: list[DataLine]


def summarize_all(user: Any) -> list[Summary]:
    """The deletion statement: per source, its non-empty lines."""
    out = []
    for source in data_sources():
        lines = [line for line in source.summarize(user) if line.count]
        if lines:
            out.append(Summary(source, lines))
    return out


def erase_all(user: Any) -> set[Any]:
    """Run every source's erase hook; the stored-file ids they held."""
    held: set[Any] = set()
    for source in data_sources():
        if source.erase is not None:
            held.update(source.erase(user) or ())
    return held
