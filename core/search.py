"""Site-wide search: the provider registry and the shapes every provider speaks.

Each app that has something to find registers one provider in its ``AppConfig.ready``
(``register_provider("discussions", DiscussionsSearch())``); the search page asks every
provider and merges what they answer by rank. A provider works in two steps, so that the
costly part (highlighted snippets) is computed only for the results on the page shown:

1. ``find(user, query, limit=n)``: how many matches there are in all, and the best ``n``
   as :class:`Hit` (kind, key, rank) — only what ``user`` may open, exactly as the pages
   decide it;
2. ``results(user, query, hits)``: those hits as :class:`Result` (by hit; a hit that has
   gone since is left out), with an escaped snippet where only the search engine's
   matches are wrapped in ``<mark>``.

Ranks are "higher is better" and come from the database's own ranking (every provider on
one site uses the same database), so merging by rank is meaningful.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# The longest query read, in characters, and the deepest page served.
MAX_QUERY = 200
MAX_PAGE = 50
PER_PAGE = 20

# Markers a database's highlighter wraps matches in; swapped for <mark> after escaping.
# They are control characters, which no stored text can hold (core.text drops them).
START, STOP = "\x02", "\x03"


@dataclass(frozen=True)
class Query:
    """What the person asked for: words, and optional filters every provider may honour
    (a ``kind`` a provider does not declare means that provider has nothing to add)."""

    text: str
    kind: str = ""
    cohort: str = ""  # a cohort's slug
    author: str = ""  # a person's handle
    page: int = 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", " ".join(self.text.split())[:MAX_QUERY])
        object.__setattr__(self, "page", min(max(1, self.page), MAX_PAGE))


@dataclass(frozen=True)
class Hit:
    """A ranked match before it is rendered: ``key`` is the provider's own id for it."""

    kind: str
    key: int
    rank: float


@dataclass(frozen=True)
class Result:
    kind: str
    title: SafeString
    url: str
    snippet: SafeString
    rank: float
    date: datetime | None = None
    cohort: str = ""  # where the result lives, as the person knows it (a title)
    author: str = ""


class Provider(Protocol):
    # The kinds of result this provider answers, with a label for each ("Posts").
    kinds: Mapping[str, str]

    def find(self, user: Any, query: Query, *, limit: int) -> tuple[int, list[Hit]]: ...

    def results(self, user: Any, query: Query, hits: Sequence[Hit]) -> dict[Hit, Result]: ...


_providers: dict[str, Provider] = {}


def register_provider(name: str, provider: Provider) -> None:
    """Add an app's provider (from its ``AppConfig.ready``). Registering the same provider
    again is harmless; a different one under a taken name is refused."""
    known = _providers.get(name)
    if known is not None and type(known) is not type(provider):
        raise ValueError(f"a search provider named {name!r} is already registered")
    _providers[name] = provider


def providers() -> dict[str, Provider]:
    return dict(_providers)


def kinds() -> dict[str, str]:
    """Every kind of result on offer, with its label (for a filter)."""
    return {kind: label for p in _providers.values() for kind, label in p.kinds.items()}


# Apps whose search index can be refilled by ``manage.py rebuild_search_index`` (besides
# the threads and posts the command itself rebuilds): ``rebuild()`` re-indexes the app's
# rows and returns a line for the command to print.
_rebuilders: dict[str, Callable[[], str]] = {}


def register_rebuilder(name: str, rebuild: Callable[[], str]) -> None:
    """Add an app's index rebuild to ``rebuild_search_index`` (from its ``ready``)."""
    known = _rebuilders.get(name)
    if known is not None and known is not rebuild:
        raise ValueError(f"a search index rebuilder named {name!r} is already registered")
    _rebuilders[name] = rebuild


def rebuild_registered() -> list[str]:
    """Run every registered rebuild, in registration order; what each reports."""
    return [rebuild() for rebuild in list(_rebuilders.values())]


def marked(text: str) -> SafeString:
    """A highlighter's output, escaped, with its markers turned into ``<mark>``."""
    safe = str(escape(text))
    unclosed = max(0, safe.count(START) - safe.count(STOP))
    safe = safe.replace(START, "<mark>").replace(STOP, "</mark>") + "</mark>" * unclosed
    return mark_safe(safe)  # noqa: S308 - escaped before the tags were added


@dataclass
class Page:
    query: Query
    total: int = 0
    results: list[Result] = field(default_factory=list)
    per_page: int = PER_PAGE

    @property
    def number(self) -> int:
        return self.query.page

    @property
    def num_pages(self) -> int:
        return min(MAX_PAGE, max(1, -(-self.total // self.per_page)))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def search(user: Any, query: Query, *, per_page: int = PER_PAGE) -> Page:
    """Ask every provider, merge their hits by rank and render the page shown. Each
    provider answers in a fixed number of queries, however many matches there are."""
    page = Page(query, per_page=per_page)
    if not query.text:
        return page
    limit = query.page * per_page
    asked: dict[str, Provider] = {}
    merged: list[tuple[Hit, str]] = []
    for name, provider in _providers.items():
        if query.kind and query.kind not in provider.kinds:
            continue
        total, hits = provider.find(user, query, limit=limit)
        page.total += total
        asked[name] = provider
        merged.extend((hit, name) for hit in hits)
    merged.sort(key=lambda pair: -pair[0].rank)
    shown = merged[limit - per_page : limit]
    rendered: dict[Hit, Result] = {}
    for name, provider in asked.items():
        mine = [hit for hit, owner in shown if owner == name]
        if mine:
            rendered.update(provider.results(user, query, mine))
    page.results = [rendered[hit] for hit, _ in shown if hit in rendered]
    return page
