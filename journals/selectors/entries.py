"""Reads of the author's own entries: the journal home's filtered list, the options of its
filters, the recently deleted ones, and one entry laid out for its page. Every list runs a
fixed number of queries whatever the number of entries (relations are joined or
prefetched here, never per row)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from cohorts.models import Cohort
from competencies.models import Area, Competency, FramingQuestion
from journals import permissions
from journals.models import RESTORE_DAYS, Entry, EntryCompetency

Visibility = Entry.Visibility
Status = Entry.Status


def _text(query: Mapping[str, Any], name: str, limit: int = 100) -> str:
    value = query.get(name, "")
    if not isinstance(value, str):
        return ""
    return value.strip()[:limit]


@dataclass(frozen=True)
class EntryFilters:
    """What the journal home narrows the author's entries by (from its GET form). Values
    are the ones people see in addresses: a competency's code, an area's, a cohort's and a
    framing question's slug. An unknown value simply matches nothing."""

    competency: str = ""
    area: str = ""
    cohort: str = ""
    visibility: str = ""
    status: str = ""
    question: str = ""

    @classmethod
    def from_query(cls, query: Mapping[str, Any]) -> EntryFilters:
        visibility = _text(query, "visibility")
        status = _text(query, "status")
        return cls(
            competency=_text(query, "competency", 32),
            area=_text(query, "area", 64),
            cohort=_text(query, "cohort", 64),
            visibility=visibility if visibility in Visibility.values else "",
            status=status if status in Status.values else "",
            question=_text(query, "question", 64),
        )

    @property
    def active(self) -> bool:
        return any(
            (self.competency, self.area, self.cohort, self.visibility, self.status, self.question)
        )


def _with_relations(rows: QuerySet[Entry]) -> QuerySet[Entry]:
    return rows.select_related("cohort", "prompt", "session", "goal").prefetch_related(
        Prefetch(
            "mappings",
            queryset=EntryCompetency.objects.select_related("competency__area").order_by(
                "competency__area__order", "competency__order", "pk"
            ),
            to_attr="mapping_list",
        ),
        Prefetch(
            "framing_questions",
            queryset=FramingQuestion.objects.order_by("order", "pk"),
            to_attr="question_list",
        ),
    )


def my_entries(user: Any, filters: EntryFilters | None = None) -> QuerySet[Entry]:
    """The author's own entries (not deleted), newest first, narrowed by ``filters``; each
    row carries ``mapping_list`` (competencies with their area) and ``question_list``."""
    if not getattr(user, "is_authenticated", False):
        return Entry.objects.none()
    filters = filters or EntryFilters()
    rows = Entry.objects.filter(author=user, deleted_at__isnull=True)
    # Relations filter through id subqueries: no join that repeats rows, no DISTINCT.
    if filters.competency:
        rows = rows.filter(
            pk__in=EntryCompetency.objects.filter(
                competency__code=filters.competency,
                competency__framework__is_default=True,
            ).values("entry_id")
        )
    if filters.area:
        rows = rows.filter(
            pk__in=EntryCompetency.objects.filter(
                competency__area__slug=filters.area,
                competency__framework__is_default=True,
            ).values("entry_id")
        )
    if filters.cohort:
        rows = rows.filter(cohort__slug=filters.cohort)
    if filters.visibility:
        rows = rows.filter(visibility=filters.visibility)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.question:
        rows = rows.filter(
            pk__in=Entry.framing_questions.through.objects.filter(
                framingquestion__slug=filters.question,
                framingquestion__framework__is_default=True,
            ).values("entry_id")
        )
    return _with_relations(rows.order_by("-written_on", "-pk"))


@dataclass
class FilterOptions:
    """What the journal home's filter form offers (a fixed number of queries)."""

    areas: list[Area] = field(default_factory=list)
    competency_groups: list[tuple[Area, list[Competency]]] = field(default_factory=list)
    cohorts: list[Cohort] = field(default_factory=list)
    questions: list[FramingQuestion] = field(default_factory=list)


def filter_options(user: Any) -> FilterOptions:
    """The default framework's areas, competencies and framing questions, and the cohorts
    the person belongs to or once tied an entry to."""
    competencies = list(
        Competency.objects.filter(framework__is_default=True)
        .select_related("area")
        .order_by("area__order", "order", "pk")
    )
    groups: dict[int, tuple[Area, list[Competency]]] = {}
    for competency in competencies:
        groups.setdefault(competency.area_id, (competency.area, []))[1].append(competency)
    member = permissions.member_cohort_ids(user)
    cohorts = list(
        Cohort.objects.filter(
            Q(pk__in=member) | Q(pk__in=Entry.objects.filter(author=user).values("cohort_id"))
        ).order_by("title", "pk")
    )
    return FilterOptions(
        areas=[area for area, _ in groups.values()],
        competency_groups=list(groups.values()),
        cohorts=cohorts,
        questions=list(
            FramingQuestion.objects.filter(framework__is_default=True).order_by("order", "pk")
        ),
    )


def deleted_entries(user: Any) -> QuerySet[Entry]:
    """The author's entries deleted in the last 30 days (still restorable), latest first."""
    if not getattr(user, "is_authenticated", False):
        return Entry.objects.none()
    since = timezone.now() - timedelta(days=RESTORE_DAYS)
    return (
        Entry.objects.filter(author=user, deleted_at__gt=since)
        .select_related("cohort")
        .order_by("-deleted_at", "-pk")
    )


def entry_for_page(entry_id: int) -> Entry | None:
    """One entry with everything its page shows, in a fixed number of queries. Only after
    :func:`journals.permissions.access_entry` has said the reader may see it."""
    return (
        _with_relations(Entry.objects.filter(pk=entry_id, deleted_at__isnull=True))
        .select_related("author", "cohort", "prompt__cohort", "session__cohort", "goal__cohort")
        .first()
    )
