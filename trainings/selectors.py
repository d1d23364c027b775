"""Reads of the trainings app, each in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, F, Min, Prefetch, Q, QuerySet
from django.utils import timezone

from competencies.models import Competency
from trainings import permissions
from trainings.models import Completion, Event, Review, Training, TrainingRun
from trainings.search import only_matching

S = Training.Status


@dataclass(frozen=True)
class CatalogFilters:
    area: str = ""
    competency: str = ""
    format: str = ""
    delivery: str = ""
    free: bool = False
    upcoming: bool = False
    q: str = ""

    @property
    def active(self) -> bool:
        return any(
            (self.area, self.competency, self.format, self.delivery, self.free, self.upcoming)
        )

    def without(self, name: str) -> CatalogFilters:
        values = dict(self.__dict__)
        values[name] = False if isinstance(values[name], bool) else ""
        return CatalogFilters(**values)


def _filter(qs: QuerySet[Training], f: CatalogFilters, today: date) -> QuerySet[Training]:
    if f.q:
        # Words: the site-wide search's matching (the same full-text index).
        qs = only_matching(qs, f.q)
    if f.area:
        qs = qs.filter(
            pk__in=Training.competencies.through.objects.filter(
                competency__area__slug=f.area, competency__framework__is_default=True
            ).values("training_id")
        )
    if f.competency:
        qs = qs.filter(
            pk__in=Training.competencies.through.objects.filter(
                competency__code=f.competency
            ).values("training_id")
        )
    if f.format:
        qs = qs.filter(format=f.format)
    if f.delivery:
        qs = qs.filter(delivery=f.delivery)
    if f.free:
        qs = qs.filter(cost_amount__isnull=True)
    if f.upcoming:
        qs = qs.filter(
            pk__in=TrainingRun.objects.filter(starts_on__gte=today).values("training_id")
        )
    return qs


def _upcoming_runs(today: date) -> Prefetch:
    return Prefetch(
        "runs", queryset=TrainingRun.objects.filter(ends_on__gte=today), to_attr="upcoming_runs"
    )


def with_card_relations(qs: QuerySet[Training], today: date) -> QuerySet[Training]:
    return qs.select_related("provider").prefetch_related(
        Prefetch(
            "competencies",
            queryset=Competency.objects.select_related("area").order_by("area__order", "order"),
        ),
        _upcoming_runs(today),
    )


def sorted_by_next_start(qs: QuerySet[Training], today: date) -> QuerySet[Training]:
    """Next start date first; self-paced and undated trainings after, by title."""
    return qs.annotate(
        next_start=Min("runs__starts_on", filter=Q(runs__starts_on__gte=today))
    ).order_by(F("next_start").asc(nulls_last=True), "title", "pk")


def catalog(f: CatalogFilters, *, on: date | None = None) -> QuerySet[Training]:
    """The approved, unexpired trainings matching ``f``, by next start date."""
    today = on or permissions.today()
    qs = _filter(Training.objects.filter(permissions.current_q(today)), f, today)
    return with_card_relations(sorted_by_next_start(qs, today), today)


@dataclass
class Facet:
    name: str
    label: str
    values: list[tuple[str, str, int]] = field(default_factory=list)  # (value, label, count)


def facets(f: CatalogFilters, *, on: date | None = None) -> list[Facet]:
    """Counts per filter value, each counted with the other filters applied (so a count
    says how many trainings choosing that value would show). Six queries."""
    today = on or permissions.today()
    current = Training.objects.filter(permissions.current_q(today))

    def base(name: str) -> QuerySet[Training]:
        return _filter(current, f.without(name), today)

    links = Training.competencies.through.objects
    areas = (
        links.filter(training__in=base("area"), competency__framework__is_default=True)
        .values("competency__area__slug", "competency__area__name", "competency__area__order")
        .annotate(n=Count("training_id", distinct=True))
        .order_by("competency__area__order")
    )
    comps = (
        links.filter(training__in=base("competency"))
        .values(
            "competency__code", "competency__title", "competency__area__order", "competency__order"
        )
        .annotate(n=Count("training_id", distinct=True))
        .order_by("competency__area__order", "competency__order")
    )
    formats = dict(base("format").values_list("format").annotate(n=Count("pk")))
    deliveries = dict(base("delivery").values_list("delivery").annotate(n=Count("pk")))
    free = base("free").filter(cost_amount__isnull=True).count()
    upcoming = (
        base("upcoming")
        .filter(pk__in=TrainingRun.objects.filter(starts_on__gte=today).values("training_id"))
        .count()
    )
    facets_found = [
        Facet(
            "area",
            "Credential area",
            [(a["competency__area__slug"], a["competency__area__name"], a["n"]) for a in areas],
        ),
        Facet(
            "competency",
            "Competency",
            [
                (c["competency__code"], f"{c['competency__code']} {c['competency__title']}", c["n"])
                for c in comps
            ],
        ),
        Facet(
            "format",
            "Format",
            [(v, lbl, formats.get(v, 0)) for v, lbl in Training.Format.choices],
        ),
        Facet(
            "delivery",
            "Delivery",
            [(v, lbl, deliveries.get(v, 0)) for v, lbl in Training.Delivery.choices],
        ),
        Facet("free", "Cost", [("1", "Free", free)]),
        Facet("upcoming", "Dates", [("1", "Has upcoming dates", upcoming)]),
    ]
    # A chosen value that matches nothing stays on offer (with 0), so the form shows it.
    for facet in facets_found[:2]:
        chosen = getattr(f, facet.name)
        if chosen and chosen not in {v for v, _label, _n in facet.values}:
            facet.values.insert(0, (chosen, chosen, 0))
    return facets_found


def training_page(training: Training, *, on: date | None = None) -> Training:
    """``training`` with what its page shows."""
    today = on or permissions.today()
    return (
        with_card_relations(Training.objects.filter(pk=training.pk), today)
        .prefetch_related("runs")
        .get()
    )


def upcoming_runs(f: CatalogFilters, *, on: date | None = None) -> QuerySet[TrainingRun]:
    """Runs not yet started of the catalog's trainings matching ``f`` (for a calendar)."""
    today = on or permissions.today()
    trainings = _filter(Training.objects.filter(permissions.current_q(today)), f, today)
    return (
        TrainingRun.objects.filter(training__in=trainings, starts_on__gte=today)
        .select_related("training__provider")
        .order_by("starts_on", "pk")
    )


def review_queue(user: Any) -> list[Training]:
    """The trainings ``user`` may decide on, oldest first, each with ``waiting_days``."""
    now = timezone.now()
    items = list(
        permissions.review_queue_for(user).select_related("provider").order_by("submitted_at", "pk")
    )
    for t in items:
        since = t.renewal_requested_at or t.submitted_at or t.created_at
        t.waiting_since = since  # type: ignore[attr-defined]
        t.waiting_days = (now - since).days  # type: ignore[attr-defined]
    items.sort(key=lambda t: (t.waiting_since, t.pk))  # type: ignore[attr-defined]
    return items


def trainings_of_provider(user: Any) -> QuerySet[Training]:
    ids = permissions.provider_ids_of(user)
    return (
        Training.objects.filter(provider_id__in=ids)
        .select_related("provider")
        .order_by("-updated_at", "-pk")
    )


def history(training: Training) -> QuerySet[Event]:
    return training.events.order_by("at", "pk")


def reviews_of(training: Training) -> QuerySet[Review]:
    return training.reviews.select_related("reviewer").order_by("-created_at", "-pk")


def completions_of(user: Any) -> QuerySet[Completion]:
    """A person's professional development list: the trainings they completed."""
    return (
        permissions.completions_visible_to(user)
        .select_related("training__provider", "certificate")
        .prefetch_related("training__competencies")
        .order_by("-completed_on", "-pk")
    )


@dataclass
class Recommendations:
    trainings: list[Training]
    cohorts: list[Any]


def recommendations(
    competencies: Any, *, limit: int = 10, on: date | None = None
) -> Recommendations:
    """The approved, unexpired trainings and the open cohorts (public, joinable) that
    address any of ``competencies`` (Competency objects, ids or codes), most matching
    first. Two queries plus prefetches, whatever the number of competencies."""
    today = on or permissions.today()
    items = list(competencies)
    ids = {c.pk if isinstance(c, Competency) else int(c) for c in items if not isinstance(c, str)}
    codes = [c for c in items if isinstance(c, str)]
    if codes:
        ids |= set(
            Competency.objects.filter(code__in=codes, framework__is_default=True).values_list(
                "pk", flat=True
            )
        )
    match = Q(competencies__pk__in=ids)
    trainings = list(
        with_card_relations(
            Training.objects.filter(permissions.current_q(today))
            .annotate(matches=Count("competencies", filter=match, distinct=True))
            .filter(matches__gt=0)
            .annotate(next_start=Min("runs__starts_on", filter=Q(runs__starts_on__gte=today)))
            .order_by("-matches", F("next_start").asc(nulls_last=True), "title"),
            today,
        )[:limit]
    )
    from cohorts.models import Cohort
    from cohorts.permissions import JOINABLE_STATES

    # A cohort addresses a competency it names, or every competency of an area it focuses on.
    cohorts = list(
        Cohort.objects.filter(listed=True, state__in=JOINABLE_STATES, term_end__gte=today)
        .exclude(join_policy=Cohort.JoinPolicy.INVITATION)
        .filter(
            Q(
                pk__in=Cohort.focus_competencies.through.objects.filter(
                    competency_id__in=ids
                ).values("cohort_id")
            )
            | Q(
                pk__in=Cohort.focus_areas.through.objects.filter(area__competencies__in=ids).values(
                    "cohort_id"
                )
            )
        )
        .order_by("term_start", "title")[:limit]
    )
    return Recommendations(trainings, cohorts)


def upcoming_for_user(user: Any, *, limit: int = 5, on: date | None = None) -> list[Training]:
    """Approved trainings with upcoming dates addressing the focus competencies (or areas)
    of the cohorts ``user`` is in: the dashboard panel."""
    from cohorts.selectors import cohorts_of

    today = on or permissions.today()
    mine = cohorts_of(user)
    comp_ids = Competency.objects.filter(Q(cohorts__in=mine) | Q(area__cohorts__in=mine)).values(
        "pk"
    )
    return list(
        with_card_relations(
            sorted_by_next_start(
                Training.objects.filter(permissions.current_q(today))
                .filter(
                    pk__in=Training.competencies.through.objects.filter(
                        competency_id__in=comp_ids
                    ).values("training_id")
                )
                .filter(
                    pk__in=TrainingRun.objects.filter(starts_on__gte=today).values("training_id")
                ),
                today,
            ),
            today,
        )[:limit]
    )


@dataclass
class Offering:
    competency: Competency
    trainings: list[Training]
    cohorts: list[Any]


def offerings_for_area(area: Any, *, on: date | None = None) -> list[Offering]:
    """For each competency of ``area``: the approved, unexpired trainings addressing it and
    the open cohorts that name it or focus on the whole area. Three queries."""
    from cohorts.models import Cohort
    from cohorts.permissions import JOINABLE_STATES

    today = on or permissions.today()
    competencies = list(Competency.objects.filter(area=area).order_by("order", "pk"))
    trainings = list(
        Training.objects.filter(permissions.current_q(today), competencies__area=area)
        .distinct()
        .prefetch_related(Prefetch("competencies", queryset=Competency.objects.filter(area=area)))
        .order_by("title", "pk")
    )
    cohorts = list(
        Cohort.objects.filter(listed=True, state__in=JOINABLE_STATES, term_end__gte=today)
        .exclude(join_policy=Cohort.JoinPolicy.INVITATION)
        .filter(Q(focus_areas=area) | Q(focus_competencies__area=area))
        .distinct()
        .prefetch_related(
            Prefetch("focus_competencies", queryset=Competency.objects.filter(area=area)),
            "focus_areas",
        )
        .order_by("term_start", "title")
    )
    rows = []
    for competency in competencies:
        rows.append(
            Offering(
                competency,
                [t for t in trainings if competency in t.competencies.all()],
                [
                    c
                    for c in cohorts
                    if area in c.focus_areas.all() or competency in c.focus_competencies.all()
                ],
            )
        )
    return rows
