"""Reads of the repertoire: lists with filters, counts per filter value and sorting; one
resource's page; what journals need to cite a resource. Every list runs a fixed number of
queries whatever the number of resources."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Count, Prefetch, QuerySet

from cohorts.models import Cohort
from resources import permissions
from resources.models import Collection, CollectionItem, FileVersion, Resource, Tag, UsefulMark
from resources.search import matching

SORTS = {
    "useful": ("-useful_count", "-created_at", "-pk"),
    "recent": ("-created_at", "-pk"),
    "title": ("title", "pk"),
}
SORT_LABELS = {
    "relevance": "Best match",
    "useful": "Most useful",
    "recent": "Newest",
    "title": "Title",
}
FACET_LIMIT = 30


@dataclass(frozen=True)
class Filters:
    """What a list is narrowed by. Every field is optional; unknown values match nothing."""

    q: str = ""
    area: str = ""  # area slug
    competency: str = ""  # competency code
    kind: str = ""
    tag: str = ""
    contributor: int | None = None
    cohort: str = ""  # cohort slug (the library only)
    sort: str = ""

    @classmethod
    def from_query(cls, params: Mapping[str, Any]) -> Filters:
        def text(name: str, limit: int = 200) -> str:
            value = params.get(name) or ""
            return " ".join(str(value).split())[:limit]

        contributor: int | None
        try:
            contributor = int(params.get("contributor") or 0) or None
        except (TypeError, ValueError):
            contributor = -1  # matches nobody
        return cls(
            q=text("q"),
            area=text("area", 64),
            competency=text("competency", 32),
            kind=text("kind", 8),
            tag=text("tag", 40),
            contributor=contributor,
            cohort=text("cohort", 64),
            sort=text("sort", 16),
        )

    @property
    def active(self) -> bool:
        return any(
            [self.q, self.area, self.competency, self.kind, self.tag, self.contributor, self.cohort]
        )

    def effective_sort(self) -> str:
        if self.sort in SORTS or (self.sort == "relevance" and self.q):
            return self.sort
        return "relevance" if self.q else "recent"


def _apply(
    rows: QuerySet[Resource], f: Filters, *, skip: str = "", ranked: bool = False
) -> QuerySet[Resource]:
    if f.area and skip != "area":
        rows = rows.filter(areas__slug=f.area)
    if f.competency and skip != "competency":
        rows = rows.filter(competencies__code=f.competency)
    if f.kind and skip != "kind":
        rows = rows.filter(kind=f.kind)
    if f.tag and skip != "tag":
        rows = rows.filter(tags__name__iexact=f.tag)
    if f.contributor and skip != "contributor":
        rows = rows.filter(contributor_id=f.contributor)
    if f.cohort and skip != "cohort":
        rows = rows.filter(cohort__slug=f.cohort)
    if f.q and not ranked:
        rows = rows.filter(pk__in=matching(Resource.objects.all(), f.q).values("pk"))
    if f.q and ranked:
        rows = matching(rows, f.q)  # the index is matched once, and ``rank`` is added
    return rows


def listing_rows(rows: QuerySet[Resource]) -> QuerySet[Resource]:
    """What a resource card shows, in a fixed number of queries."""
    return rows.select_related("cohort", "contributor", "current_version__file").prefetch_related(
        Prefetch("competencies", to_attr="competency_list"),
        Prefetch("tags", queryset=Tag.objects.order_by("name"), to_attr="tag_list"),
    )


def base_for(user: Any, *, cohort: Cohort | None = None) -> QuerySet[Resource]:
    rows = permissions.resources_visible_to(user)
    if cohort is not None:
        rows = rows.filter(cohort=cohort)
    return rows


def resources_list(
    user: Any, filters: Filters, *, cohort: Cohort | None = None
) -> QuerySet[Resource]:
    """The resources ``user`` may see (in ``cohort``, or everywhere), filtered and sorted."""
    rows = _apply(base_for(user, cohort=cohort), filters, ranked=True)
    sort = filters.effective_sort()
    if sort == "relevance":
        return listing_rows(rows.order_by("-rank", "-featured", "-pk"))
    order = SORTS[sort]
    if cohort is not None and sort == "recent":
        order = ("-featured", *order)
    return listing_rows(rows.order_by(*order))


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass
class Facet:
    name: str
    label: str
    values: list[FacetValue] = field(default_factory=list)


# Each facet: its filter's name, then the SELECT that groups the chosen rows (``v``) by the
# facet's value, and the order its values are listed in (the first FACET_LIMIT are kept).
# Every SELECT gives the same columns: value, label, extra (text), position, n.
_FACET_SQL = {
    "area": (
        "SELECT a.slug, a.name, '', a.\"order\", g.n FROM"
        " (SELECT ra.area_id, COUNT(*) AS n FROM {v} v"
        " JOIN resources_resource_areas ra ON ra.resource_id = v.pk GROUP BY ra.area_id) g"
        ' JOIN competencies_area a ON a.id = g.area_id ORDER BY a."order", a.name'
    ),
    "competency": (
        "SELECT c.code, c.title, '', 0, g.n FROM"
        " (SELECT rc.competency_id, COUNT(*) AS n FROM {v} v"
        " JOIN resources_resource_competencies rc ON rc.resource_id = v.pk"
        " GROUP BY rc.competency_id) g"
        " JOIN competencies_competency c ON c.id = g.competency_id ORDER BY c.code"
    ),
    "kind": ("SELECT v.kind, '', '', 0, COUNT(*) AS n FROM {v} v GROUP BY v.kind ORDER BY v.kind"),
    "tag": (
        "SELECT t.name, t.name, '', 0, g.n FROM"
        " (SELECT rt.tag_id, COUNT(*) AS n FROM {v} v"
        " JOIN resources_resource_tags rt ON rt.resource_id = v.pk GROUP BY rt.tag_id) g"
        " JOIN resources_tag t ON t.id = g.tag_id ORDER BY g.n DESC, t.name"
    ),
    "contributor": (
        "SELECT CAST(g.contributor_id AS TEXT), u.name, u.email, 0, g.n FROM"
        " (SELECT v.contributor_id, COUNT(*) AS n FROM {v} v"
        " WHERE v.contributor_id IS NOT NULL GROUP BY v.contributor_id) g"
        " JOIN accounts_user u ON u.id = g.contributor_id"
        " ORDER BY g.n DESC, u.name, g.contributor_id"
    ),
    "cohort": (
        "SELECT c.slug, c.title, '', 0, g.n FROM"
        " (SELECT v.cohort_id, COUNT(*) AS n FROM {v} v GROUP BY v.cohort_id) g"
        " JOIN cohorts_cohort c ON c.id = g.cohort_id"
        " ORDER BY g.n DESC, c.title"
    ),
}
_FACET_LABELS = {
    "area": "Credential area",
    "competency": "Competency",
    "kind": "Kind",
    "tag": "Tag",
    "contributor": "Contributor",
    "cohort": "Cohort",
}


def _selected(filters: Filters, name: str) -> bool:
    return bool(getattr(filters, name))


def facet_summary(
    user: Any, filters: Filters, *, cohort: Cohort | None = None
) -> tuple[list[Facet], int]:
    """For each filter, its values with how many resources each would give, given the other
    filters chosen; and how many resources the list holds. One query whatever the number of
    resources: the rows the user may see and has narrowed to are chosen once (a WITH table
    the facets group), and each facet whose own filter is set groups its own set, without
    that filter. Values are the first FACET_LIMIT in each facet's order."""
    base = base_for(user, cohort=cohort)
    names = [n for n in _FACET_SQL if n != "cohort" or cohort is None]
    columns = ("pk", "kind", "contributor_id", "cohort_id")
    sets: dict[str, QuerySet[Resource]] = {"": _apply(base, filters).values(*columns).order_by()}
    for name in names:
        if _selected(filters, name):
            sets[name] = _apply(base, filters, skip=name).values(*columns).order_by()
    withs: list[str] = []
    params: list[Any] = []
    for key, rows in sets.items():
        joined = [n for n in ("area", "competency", "tag") if _selected(filters, n) and n != key]
        if joined:  # one row per resource even if a joined filter matched twice
            rows = rows.distinct()
        sql, args = rows.query.sql_with_params()
        withs.append(f"v_{key or 'all'} AS ({sql})")
        params.extend(args)
    parts = ["SELECT 'total', '', '', '', 0, COUNT(*) FROM v_all"]
    for name in names:
        table = f"v_{name}" if name in sets else "v_all"
        select = _FACET_SQL[name].format(v=table)
        parts.append(f"SELECT '{name}', * FROM ({select} LIMIT {FACET_LIMIT}) f_{name}")  # noqa: S608 (names and SQL are constants)
    query = "WITH " + ", ".join(withs) + " " + " UNION ALL ".join(parts)
    found: dict[str, list[tuple[Any, ...]]] = {name: [] for name in names}
    total = 0
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        for facet, *row in cursor.fetchall():
            if facet == "total":
                total = int(row[-1])
            else:
                found[facet].append(tuple(row))
    kinds = dict(Resource.Kind.choices)
    keys: dict[str, Any] = {
        "area": lambda r: (r[3], r[1]),
        "competency": lambda r: r[0],
        "kind": lambda r: r[0],
        "tag": lambda r: (-r[4], r[0]),
        "contributor": lambda r: (-r[4], r[1] or "", int(r[0])),
        "cohort": lambda r: (-r[4], r[1]),
    }
    out: list[Facet] = []
    for name in names:
        values = []
        for value, label, extra, _pos, n in sorted(found[name], key=keys[name]):
            value = str(value)
            if name == "competency":
                label = f"{value} {label}"
            elif name == "kind":
                label = kinds.get(value, value)
            elif name == "contributor":
                label = label or str(extra).split("@", 1)[0]
            if name == "tag":
                selected = value.lower() == filters.tag.lower()
            elif name == "contributor":
                selected = int(value) == filters.contributor
            else:
                selected = value == getattr(filters, name)
            values.append(FacetValue(value, label, int(n), selected))
        out.append(Facet(name, _FACET_LABELS[name], values))
    return out, total


def facets(user: Any, filters: Filters, *, cohort: Cohort | None = None) -> list[Facet]:
    """For each filter, its values with how many resources each would give (see
    ``facet_summary``)."""
    return facet_summary(user, filters, cohort=cohort)[0]


def filters_without(filters: Filters, name: str) -> Filters:
    empty: Any = None if name == "contributor" else ""
    return replace(filters, **{name: empty})


# --- one resource ---------------------------------------------------------------------------


def resource_for_page(resource_id: int) -> Resource | None:
    return (
        Resource.objects.select_related(
            "cohort",
            "contributor",
            "current_version__file",
            "current_version__uploaded_by",
            "thread",
        )
        .prefetch_related(
            Prefetch("competencies", to_attr="competency_list"),
            Prefetch("areas", to_attr="area_list"),
            Prefetch("tags", queryset=Tag.objects.order_by("name"), to_attr="tag_list"),
        )
        .filter(pk=resource_id)
        .first()
    )


def versions_of(resource: Resource) -> list[FileVersion]:
    return list(resource.versions.select_related("file", "uploaded_by").order_by("-number"))


def useful_notes(resource: Resource, *, limit: int = 50) -> list[UsefulMark]:
    """The marks that say how the resource was used, newest first."""
    return list(
        resource.useful_marks.select_related("user")
        .exclude(note="")
        .order_by("-created_at", "-pk")[:limit]
    )


def my_mark(user: Any, resource: Resource) -> UsefulMark | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return UsefulMark.objects.filter(resource=resource, user=user).first()


def tag_names(user: Any, *, prefix: str = "", limit: int = 200) -> list[str]:
    """Tags on resources ``user`` may see, for autocomplete, most used first (a tag used
    only in a cohort they cannot open is never suggested)."""
    through = Resource.tags.through
    rows = through.objects.filter(
        resource_id__in=permissions.resources_visible_to(user).values("pk")
    )
    if prefix:
        rows = rows.filter(tag__name__istartswith=prefix)
    return list(
        rows.values("tag__name")
        .annotate(n=Count("resource_id"))
        .order_by("-n", "tag__name")
        .values_list("tag__name", flat=True)[:limit]
    )


def collections_of(cohort: Cohort) -> list[Collection]:
    return list(
        Collection.objects.filter(cohort=cohort)
        .select_related("session")
        .annotate(size=Count("items"))
        .order_by("title", "pk")
    )


def _cited_items(rows: QuerySet[CollectionItem]) -> QuerySet[CollectionItem]:
    """Items with what :func:`cite` reads, in a fixed number of queries."""
    return rows.select_related(
        "resource__cohort", "resource__contributor", "resource__current_version"
    ).prefetch_related(Prefetch("resource__competencies", to_attr="competency_list"))


def collection_items(user: Any, collection: Collection) -> list[CitedResource]:
    """A collection's resources in order; one the person may not open (deleted, hidden)
    shows as withdrawn instead of disappearing."""
    items = list(
        _cited_items(CollectionItem.objects.filter(collection=collection)).order_by(
            "position", "pk"
        )
    )
    return [cite(user, item.resource) for item in items]


def session_materials(user: Any, session: Any) -> list[CitedResource]:
    """The resources listed as a session's materials, in their collections' order."""
    items = list(
        _cited_items(CollectionItem.objects.filter(collection__session=session)).order_by(
            "collection__title", "collection_id", "position", "pk"
        )
    )
    return [cite(user, item.resource) for item in items]


# --- citing a resource ----------------------------------------------------------------------


@dataclass(frozen=True)
class CitedResource:
    """What a citing place (a journal entry's evidence, a session's materials) shows."""

    id: int
    available: bool
    title: str
    kind: str
    contributor: str
    date: datetime | None
    competencies: tuple[str, ...]
    version: int | None
    url: str
    version_url: str


WITHDRAWN_TITLE = "Withdrawn resource"


def cite(user: Any, resource: Resource, *, version: int | None = None) -> CitedResource:
    """``resource`` as ``user`` may see it cited: its details if they may open it, otherwise
    only that it was withdrawn (its title is not revealed)."""
    if not permissions.can_view_resource(user, resource):
        return CitedResource(
            id=resource.pk,
            available=False,
            title=WITHDRAWN_TITLE,
            kind=resource.kind,
            contributor="",
            date=None,
            competencies=(),
            version=version,
            url="",
            version_url="",
        )
    listed = getattr(resource, "competency_list", None)
    codes = tuple(c.code for c in (listed if listed is not None else resource.competencies.all()))
    number = version
    if number is None and resource.current_version_id:
        number = resource.current_version.number if resource.current_version else None
    contributor = resource.contributor
    return CitedResource(
        id=resource.pk,
        available=True,
        title=resource.title,
        kind=resource.kind,
        contributor=contributor.display_name if contributor else "A former member",
        date=resource.created_at,
        competencies=codes,
        version=number,
        url=resource.get_absolute_url(),
        version_url=(
            f"{resource.get_absolute_url()}versions/{number}/" if number is not None else ""
        ),
    )


def resource_citation(
    user: Any, resource_id: int, *, version: int | None = None
) -> CitedResource | None:
    """The one selector journals use to cite a resource (or one file version of it):
    title, contributor, date, competencies, version and stable URLs; ``available`` is
    False once it was deleted or hidden (the citing place then shows it as withdrawn).
    None if no such resource ever existed (or it was purged)."""
    resource = (
        Resource.objects.select_related("cohort", "contributor", "current_version")
        .prefetch_related(Prefetch("competencies", to_attr="competency_list"))
        .filter(pk=resource_id)
        .first()
    )
    if resource is None:
        return None
    if version is not None and not resource.versions.filter(number=version).exists():
        return None
    return cite(user, resource, version=version)


def recent_in_cohorts(user: Any, *, since: datetime, limit: int = 8) -> list[Resource]:
    """New resources in the person's cohorts (not their own), newest first."""
    from cohorts.permissions import cohorts_with_content_for

    rows = (
        permissions.resources_visible_to(user)
        .filter(
            cohort__in=cohorts_with_content_for(user).values("pk"),
            created_at__gte=since,
        )
        .exclude(contributor=user)
        .select_related("cohort", "contributor")
        .order_by("-created_at", "-pk")
    )
    return list(rows[:limit])


def contributed_counts(cohort: Cohort) -> dict[int, int]:
    """Resources each person shared into ``cohort`` (not deleted), for participation."""
    return dict(
        Resource.objects.filter(cohort=cohort, deleted_at__isnull=True, contributor__isnull=False)
        .values("contributor_id")
        .annotate(n=Count("pk"))
        .values_list("contributor_id", "n")
    )
