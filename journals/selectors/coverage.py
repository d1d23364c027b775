"""Coverage of the framework by a person's own entries and evidence: for each key
competency of a credential area, how much speaks to it, how recent it is, which framing
questions it touches and the latest self-rating, with a strength that makes thin evidence
stand out.

What counts (only ever the person's own, never anyone else's):

- an **entry** counts for a competency when it is mapped to it; drafts count (they are
  the person's work in progress) and are also counted on their own; deleted entries do
  not count;
- an **evidence** item counts for the competency it says it supports
  (``Evidence.competency``), when its entry is not deleted;
- the entries *touching* a competency are those mapped to it and those holding evidence
  for it: the **latest** date (their ``written_on``) and the **framing questions** are
  taken over them.

The strength of a cell, with the thresholds below:

- ``none``: no entry and no evidence;
- ``thin``: one item in all (entries + evidence), or nothing written in the last
  :data:`RECENT_DAYS` days;
- ``strong``: at least :data:`STRONG_ITEMS` items, of which at least
  :data:`STRONG_EVIDENCE` evidence, touching at least :data:`STRONG_QUESTIONS` framing
  questions;
- ``some``: anything else (two or more recent items short of strong).

Every function aggregates in the database: a fixed number of queries, whatever the number
of entries.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from competencies.models import Area, Competency, Framework, FramingQuestion
from journals.models import Entry, EntryCompetency, Evidence, SelfRating
from journals.selectors.assessments import default_framework, framework_areas, level_name

NONE = "none"
THIN = "thin"
SOME = "some"
STRONG = "strong"
STRENGTHS = (STRONG, SOME, THIN, NONE)
STRENGTH_LABELS = {NONE: "None", THIN: "Thin", SOME: "Some", STRONG: "Strong"}

# Nothing written for this long makes a cell thin, whatever its count.
RECENT_DAYS = 365
# Strong: this many items (entries + evidence), with this much evidence among them,
# touching this many framing questions.
STRONG_ITEMS = 4
STRONG_EVIDENCE = 1
STRONG_QUESTIONS = 2


def strength(
    *, entries: int, evidence: int, questions: int, latest: date | None, today: date
) -> str:
    """The strength of one cell under the rule in this module's docstring."""
    items = entries + evidence
    if items == 0:
        return NONE
    if items == 1 or latest is None or (today - latest).days > RECENT_DAYS:
        return THIN
    if items >= STRONG_ITEMS and evidence >= STRONG_EVIDENCE and questions >= STRONG_QUESTIONS:
        return STRONG
    return SOME


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


@dataclass
class Cell:
    """One key competency's coverage for one person."""

    competency: Competency
    entries: int = 0
    drafts: int = 0
    evidence: int = 0
    latest: date | None = None
    framing_questions: list[FramingQuestion] = field(default_factory=list)
    rating_level: int | None = None
    rating_name: str = ""
    rated_at: Any = None  # when the latest sitting that rated it was taken
    strength: str = NONE
    stale: bool = False  # written, but not in the last RECENT_DAYS days

    @property
    def items(self) -> int:
        return self.entries + self.evidence

    @property
    def strength_label(self) -> str:
        return STRENGTH_LABELS[self.strength]

    @property
    def entries_text(self) -> str:
        text = _plural(self.entries, "entry", "entries")
        if self.drafts:
            text += f" ({_plural(self.drafts, 'draft', 'drafts')})"
        return text

    @property
    def evidence_text(self) -> str:
        return _plural(self.evidence, "piece of evidence", "pieces of evidence")

    @property
    def summary(self) -> str:
        """The cell's strength and what it rests on, e.g. "Thin — 1 entry"."""
        if not self.items:
            return f"{self.strength_label} — nothing yet"
        parts = []
        if self.entries:
            parts.append(_plural(self.entries, "entry", "entries"))
        if self.evidence:
            parts.append(self.evidence_text)
        return f"{self.strength_label} — " + ", ".join(parts)


@dataclass
class AreaCoverage:
    area: Area
    levels: list[str]
    cells: list[Cell]

    @property
    def counts(self) -> dict[str, int]:
        found = dict.fromkeys(STRENGTHS, 0)
        for cell in self.cells:
            found[cell.strength] += 1
        return found


def _own_entries(user: Any) -> QuerySet[Entry]:
    return Entry.objects.filter(author=user, deleted_at__isnull=True)


def _cells(
    user: Any, competencies: list[Competency], framework: Framework, *, today: date
) -> dict[int, Cell]:
    """The cells of ``competencies`` (of ``framework``): five queries."""
    ids = [c.pk for c in competencies]
    cells = {c.pk: Cell(competency=c) for c in competencies}
    if not cells or not getattr(user, "is_authenticated", False):
        return cells
    levels = [str(level) for level in (framework.levels or [])]
    own = Q(entry__author=user, entry__deleted_at__isnull=True, competency_id__in=ids)

    mapped = (
        EntryCompetency.objects.filter(own)
        .order_by()
        .values("competency_id")
        .annotate(
            entries=Count("entry_id", distinct=True),
            drafts=Count("entry_id", filter=Q(entry__status=Entry.Status.DRAFT), distinct=True),
            latest=Max("entry__written_on"),
        )
    )
    for row in mapped:
        cell = cells[row["competency_id"]]
        cell.entries, cell.drafts, cell.latest = row["entries"], row["drafts"], row["latest"]

    supported = (
        Evidence.objects.filter(own)
        .order_by()
        .values("competency_id")
        .annotate(evidence=Count("pk"), latest=Max("entry__written_on"))
    )
    for row in supported:
        cell = cells[row["competency_id"]]
        cell.evidence = row["evidence"]
        if cell.latest is None or (row["latest"] and row["latest"] > cell.latest):
            cell.latest = row["latest"]

    # Which framing questions the entries touching each competency speak to (distinct
    # pairs: at most competencies x questions rows, whatever the number of entries).
    through = Entry.framing_questions.through
    questions = {q.pk: q for q in FramingQuestion.objects.filter(framework=framework)}
    touched: dict[int, set[int]] = defaultdict(set)
    for source in ("mappings", "evidence"):
        rows = (
            through.objects.filter(
                entry__author=user,
                entry__deleted_at__isnull=True,
                **{f"entry__{source}__competency_id__in": ids},
            )
            .order_by()
            .values_list(f"entry__{source}__competency_id", "framingquestion_id")
            .distinct()
        )
        for competency_id, question_id in rows:
            touched[competency_id].add(question_id)
    for competency_id, found in touched.items():
        cells[competency_id].framing_questions = sorted(
            (questions[q] for q in found if q in questions), key=lambda q: (q.order, q.pk)
        )

    # The latest self-rating of each competency, from the person's latest sitting that
    # rated it.
    latest = SelfRating.objects.filter(
        assessment__user=user, competency_id=OuterRef("pk")
    ).order_by("-assessment__taken_at", "-assessment_id")
    rated = (
        Competency.objects.filter(pk__in=ids)
        .annotate(
            rating=Subquery(latest.values("level")[:1]),
            rated_at=Subquery(latest.values("assessment__taken_at")[:1]),
        )
        .filter(rating__isnull=False)
        .values_list("pk", "rating", "rated_at")
    )
    for competency_id, level, rated_at in rated:
        cell = cells[competency_id]
        cell.rating_level, cell.rated_at = level, rated_at
        cell.rating_name = level_name(levels, level)

    for cell in cells.values():
        cell.strength = strength(
            entries=cell.entries,
            evidence=cell.evidence,
            questions=len(cell.framing_questions),
            latest=cell.latest,
            today=today,
        )
        cell.stale = cell.latest is not None and (today - cell.latest) > timedelta(days=RECENT_DAYS)
    return cells


def coverage_for(user: Any, area: Area, *, today: date | None = None) -> AreaCoverage:
    """The person's coverage of ``area``'s key competencies, in the area's order (``area``
    with its framework; its competencies prefetched or read in one query)."""
    framework = area.framework
    competencies = list(area.competencies.all())
    cells = _cells(user, competencies, framework, today=today or timezone.localdate())
    levels = [str(level) for level in (framework.levels or [])]
    return AreaCoverage(area=area, levels=levels, cells=[cells[c.pk] for c in competencies])


def coverage_all(user: Any, *, today: date | None = None) -> list[AreaCoverage]:
    """Coverage of every credential area of the default framework, in one pass (the same
    fixed number of queries as one area)."""
    framework = default_framework()
    areas = framework_areas(framework)
    if framework is None or not areas:
        return []
    competencies = [c for area in areas for c in area.competencies.all()]
    cells = _cells(user, competencies, framework, today=today or timezone.localdate())
    levels = [str(level) for level in (framework.levels or [])]
    return [
        AreaCoverage(area=area, levels=levels, cells=[cells[c.pk] for c in area.competencies.all()])
        for area in areas
    ]


@dataclass
class AreaSummary:
    """One line of the journal home's coverage summary."""

    area: Area
    strong: int
    some: int
    thin: int
    none: int

    @property
    def total(self) -> int:
        return self.strong + self.some + self.thin + self.none


def coverage_summary(user: Any) -> list[AreaSummary]:
    """Per credential area: how many key competencies have strong, some, thin or no
    evidence."""
    out = []
    for coverage in coverage_all(user):
        counts = coverage.counts
        out.append(
            AreaSummary(
                area=coverage.area,
                strong=counts[STRONG],
                some=counts[SOME],
                thin=counts[THIN],
                none=counts[NONE],
            )
        )
    return out


def competency_by_code(code: str) -> Competency | None:
    """A key competency of the default framework, with its area and framework."""
    framework = default_framework()
    if framework is None or not code:
        return None
    return (
        Competency.objects.select_related("area__framework")
        .filter(framework=framework, code=code)
        .first()
    )


# What a cell's page lists at most of each kind (the journal home lists them all).
CELL_LIMIT = 100


@dataclass
class CellDetail:
    cell: Cell
    # Entry rows, each with ``mapping_note`` (None: it only holds evidence for it).
    entries: list[Any]
    entries_total: int
    evidence: list[Evidence]  # each with its ``entry``
    evidence_total: int


def cell_detail(user: Any, competency: Competency, *, today: date | None = None) -> CellDetail:
    """One competency's coverage with the person's entries touching it (newest first) and
    the evidence supporting it. A fixed number of queries."""
    framework = competency.area.framework
    cell = _cells(user, [competency], framework, today=today or timezone.localdate())[competency.pk]
    mapped = EntryCompetency.objects.filter(entry=OuterRef("pk"), competency=competency)
    touching = (
        _own_entries(user)
        .filter(
            Q(pk__in=EntryCompetency.objects.filter(competency=competency).values("entry_id"))
            | Q(pk__in=Evidence.objects.filter(competency=competency).values("entry_id"))
        )
        .select_related("cohort")
        .annotate(mapping_note=Subquery(mapped.values("note")[:1]))
        .order_by("-written_on", "-pk")
    )
    entries = list(touching[:CELL_LIMIT])
    evidence_rows = (
        Evidence.objects.filter(
            competency=competency, entry__author=user, entry__deleted_at__isnull=True
        )
        .select_related("entry")
        .order_by("-entry__written_on", "entry_id", "order", "pk")
    )
    evidence = list(evidence_rows[:CELL_LIMIT])
    return CellDetail(
        cell=cell,
        entries=entries,
        entries_total=touching.count(),
        evidence=evidence,
        evidence_total=evidence_rows.count(),
    )


def busiest_area(user: Any, areas: list[Area]) -> Area | None:
    """The area the person has written most about (the coverage page opens on it), or the
    first area when they have written nothing yet. One query."""
    if not areas:
        return None
    counts = dict(
        EntryCompetency.objects.filter(
            entry__in=_own_entries(user), competency__area__in=[a.pk for a in areas]
        )
        .values_list("competency__area")
        .annotate(n=Count("pk"))
        .values_list("competency__area", "n")
    )
    return max(areas, key=lambda a: (counts.get(a.pk, 0), -areas.index(a)))
