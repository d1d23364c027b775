"""Registries that apps fill in their ``AppConfig.ready``, as ``core.realtime`` does for
socket handlers: what each app adds to the demo data, to the facilitators' participation
view and to the signed-in dashboard. A lower app never imports a higher one; the higher
app registers here, and the page or command that gathers them reads the registry.

Each ``register_*`` refuses a second, different declaration under a name already taken
(the same declaration twice is harmless), and each has an ``unregister_*`` for tests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

T = TypeVar("T")


class Registry(Generic[T]):
    """Named declarations in the order they were registered."""

    def __init__(self, what: str) -> None:
        self.what = what
        self._items: dict[str, T] = {}

    def register(self, name: str, item: T) -> T:
        if name in self._items and self._items[name] != item:
            raise ValueError(f"a {self.what} named {name!r} is already registered")
        self._items[name] = item
        return item

    def unregister(self, name: str) -> None:
        self._items.pop(name, None)

    def get(self, name: str) -> T | None:
        return self._items.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[T]:
        return iter(list(self._items.values()))

    def names(self) -> list[str]:
        return list(self._items)


# --- Demo seeders ---------------------------------------------------------------------------
# ``seed_demo`` runs every registered seeder, each after the ones it names in ``after``.
# ``demo`` adds the app's demo objects (idempotently: a second run changes nothing);
# ``scale`` (optional) adds synthetic volume when the command is given ``--scale N``.


class Output(Protocol):
    def write(self, msg: str = ..., /, *args: Any, **kwargs: Any) -> Any: ...


@dataclass
class SeedRun:
    """One run of ``seed_demo``, handed to every seeder."""

    stdout: Output
    scale: int = 0
    # Synthetic volume made in this run, by what it is ("users", "cohorts"): an app's
    # ``scale`` step reads what an earlier one made, and the command reports the counts.
    synthetic: dict[str, list[Any]] = field(default_factory=dict)

    def write(self, line: str) -> None:
        self.stdout.write(line)


@dataclass(frozen=True)
class Seeder:
    name: str
    demo: Callable[[SeedRun], None]
    scale: Callable[[SeedRun], None] | None = None
    after: tuple[str, ...] = ()


_seeders: Registry[Seeder] = Registry("demo seeder")


def register_seeder(
    name: str,
    demo: Callable[[SeedRun], None],
    *,
    scale: Callable[[SeedRun], None] | None = None,
    after: tuple[str, ...] = (),
) -> Seeder:
    return _seeders.register(name, Seeder(name, demo, scale, tuple(after)))


def unregister_seeder(name: str) -> None:
    _seeders.unregister(name)


def seeders() -> list[Seeder]:
    """Every seeder, each after those it names (otherwise in registration order, which
    follows INSTALLED_APPS). Naming a seeder that is not registered is an error."""
    pending = list(_seeders)
    known = {s.name for s in pending}
    for seeder in pending:
        missing = [n for n in seeder.after if n not in known]
        if missing:
            raise ValueError(f"demo seeder {seeder.name!r} runs after unknown {missing}")
    ordered: list[Seeder] = []
    done: set[str] = set()
    while pending:
        ready = next((s for s in pending if set(s.after) <= done), None)
        if ready is None:
            raise ValueError(f"demo seeders wait on each other: {[s.name for s in pending]}")
        ordered.append(ready)
        done.add(ready.name)
        pending.remove(ready)
    return ordered


# --- Participation sources ------------------------------------------------------------------
# A column of the facilitators' participation view: ``counts(cohort)`` returns
# ``{user_id: count}`` for the cohort in a fixed number of queries. Counts only, never content.


@dataclass(frozen=True)
class ParticipationSource:
    key: str
    label: str
    counts: Callable[[Any], dict[int, int]]
    help: str = ""
    # Shown as "of N sessions held" beside the label (attendance).
    out_of_held: bool = False


_participation: Registry[ParticipationSource] = Registry("participation source")


def register_participation_source(source: ParticipationSource) -> ParticipationSource:
    return _participation.register(source.key, source)


def unregister_participation_source(key: str) -> None:
    _participation.unregister(key)


def participation_sources() -> list[ParticipationSource]:
    return list(_participation)


# --- Dashboard panels -----------------------------------------------------------------------
# A card on the signed-in dashboard: ``template`` (a template name, or anything the
# ``{% include %}`` tag renders) is included with what ``context(user)`` returns (the names
# the panel's template reads; two panels may not use the same name), in ascending
# ``order``. Keep the context function to a fixed number of queries.


@dataclass(frozen=True)
class Panel:
    name: str
    template: Any
    context: Callable[[Any], dict[str, Any]] = field(default=lambda user: {})
    order: int = 100


_panels: Registry[Panel] = Registry("dashboard panel")


def register_panel(panel: Panel) -> Panel:
    return _panels.register(panel.name, panel)


def unregister_panel(name: str) -> None:
    _panels.unregister(name)


def panels() -> list[Panel]:
    return sorted(_panels, key=lambda p: p.order)


# --- Cohort home cards ----------------------------------------------------------------------
# A card on a cohort's home page (``/cohorts/<slug>/``, for those who see its content):
# ``template`` is included with what ``context(cohort, user)`` returns, in ascending
# ``order``. Keep the context function to a fixed number of queries.


@dataclass(frozen=True)
class CohortCard:
    name: str
    template: Any
    context: Callable[[Any, Any], dict[str, Any]] = field(default=lambda cohort, user: {})
    order: int = 100


_cohort_cards: Registry[CohortCard] = Registry("cohort home card")


def register_cohort_card(card: CohortCard) -> CohortCard:
    return _cohort_cards.register(card.name, card)


def unregister_cohort_card(name: str) -> None:
    _cohort_cards.unregister(name)


def cohort_cards() -> list[CohortCard]:
    return sorted(_cohort_cards, key=lambda c: c.order)


# --- Cohort activity ------------------------------------------------------------------------
# "Recent activity" on a cohort's home: what members care about (posts, sessions held, new
# members; resources when they exist), never administrative state changes. ``items(cohort,
# user, limit)`` returns at most ``limit`` of the newest items, in a fixed number of queries.


@dataclass(frozen=True)
class ActivityItem:
    at: Any  # an aware datetime
    text: str
    url: str = ""
    kind: str = ""


@dataclass(frozen=True)
class ActivitySource:
    name: str
    items: Callable[[Any, Any, int], list[ActivityItem]]


_activity: Registry[ActivitySource] = Registry("cohort activity source")


def register_activity_source(source: ActivitySource) -> ActivitySource:
    return _activity.register(source.name, source)


def unregister_activity_source(name: str) -> None:
    _activity.unregister(name)


def cohort_activity(cohort: Any, user: Any, *, limit: int = 8) -> list[ActivityItem]:
    """The newest ``limit`` items of every registered source, newest first."""
    found = [item for source in _activity for item in source.items(cohort, user, limit)]
    found.sort(key=lambda item: item.at, reverse=True)
    return found[:limit]


# --- "Start here" items ---------------------------------------------------------------------
# What a new member's "Start here" panel on the cohort home points to beyond the cohort's
# own sessions and calendar (the welcome thread, say): ``link(cohort, user)`` returns
# ``{"label": ..., "title": ..., "url": ...}`` or None, in at most one query; in ascending
# ``order``.


@dataclass(frozen=True)
class StartHereItem:
    name: str
    link: Callable[[Any, Any], dict[str, str] | None]
    order: int = 100


_start_here: Registry[StartHereItem] = Registry("start-here item")


def register_start_here(item: StartHereItem) -> StartHereItem:
    return _start_here.register(item.name, item)


def unregister_start_here(name: str) -> None:
    _start_here.unregister(name)


def start_here_items() -> list[StartHereItem]:
    return sorted(_start_here, key=lambda i: i.order)


# --- Main navigation ------------------------------------------------------------------------
# Apps add their top-level pages to the site header. ``url_name`` is reversed when the page
# renders; ``current`` names the URL namespaces that mark the item as the current page;
# ``signed_in`` hides the item from anonymous visitors.


@dataclass(frozen=True)
class NavItem:
    name: str
    label: str
    url_name: str
    current: tuple[str, ...] = ()
    signed_in: bool = False
    order: int = 100


_nav: Registry[NavItem] = Registry("navigation item")


def register_nav_item(item: NavItem) -> NavItem:
    return _nav.register(item.name, item)


def unregister_nav_item(name: str) -> None:
    _nav.unregister(name)


def nav_items() -> list[NavItem]:
    return sorted(_nav, key=lambda i: i.order)


# --- Page sections --------------------------------------------------------------------------
# A section another app adds to a page it does not own (the trainings catalog's note on the
# communities-of-practice directory, say): the page's template names a spot with
# ``{% page_sections "cohorts.directory" %}`` (core/templatetags/page_sections.py), and every
# section registered for that spot is rendered there, in ascending ``order``: ``template``
# with what ``context(request, page_context)`` returns (``page_context`` holds the names the
# page's own template sees). Keep the context function to a fixed number of queries.


@dataclass(frozen=True)
class PageSection:
    name: str
    spot: str
    template: Any
    context: Callable[[Any, dict[str, Any]], dict[str, Any]] = field(
        default=lambda request, page: {}
    )
    order: int = 100


_page_sections: Registry[PageSection] = Registry("page section")


def register_page_section(section: PageSection) -> PageSection:
    return _page_sections.register(section.name, section)


def unregister_page_section(name: str) -> None:
    _page_sections.unregister(name)


def page_sections(spot: str) -> list[PageSection]:
    return sorted((s for s in _page_sections if s.spot == spot), key=lambda s: s.order)
