"""Self-assessments as the person reads them: their sittings per credential area, one
sitting with the change since the one before, and the history a chart draws.

Only the person's own sittings are ever read here (``permissions.assessments_visible_to``).
Every function runs a fixed number of queries, whatever the number of sittings.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from competencies.models import Area, Competency, Framework
from journals import permissions
from journals.models import SelfAssessment, SelfRating

# How many sittings of an area the chart (and its table) sets side by side: the one shown
# and up to three before it. Each needs its own fill pattern (core.charts.MAX_SERIES).
HISTORY_SITTINGS = 4


def default_framework() -> Framework | None:
    return Framework.objects.filter(is_default=True).first() or Framework.objects.first()


def framework_areas(framework: Framework | None) -> list[Area]:
    """The framework's credential areas in order, each with its competencies (two
    queries). Each area's ``framework`` is the one given (no query per area)."""
    if framework is None:
        return []
    areas = list(
        Area.objects.filter(framework=framework)
        .order_by("order", "pk")
        .prefetch_related(
            Prefetch("competencies", queryset=Competency.objects.order_by("order", "pk"))
        )
    )
    for area in areas:
        area.framework = framework
    return areas


def area_by_slug(slug: str) -> Area | None:
    """A credential area of the default framework, with its framework and competencies."""
    framework = default_framework()
    if framework is None or not slug:
        return None
    return next((a for a in framework_areas(framework) if a.slug == slug), None)


def level_name(levels: list[str], level: int | None) -> str:
    if level is None or not 0 <= level < len(levels):
        return ""
    return str(levels[level])


def change_text(levels: list[str], before: int | None, after: int | None) -> str:
    """The change of one rating between two sittings, in words a table cell can hold:
    "Developing → Proficient (+1)", "Proficient (unchanged)", "Proficient (first rating)"."""
    now = level_name(levels, after)
    if after is None:
        return "Not rated"
    if before is None:
        return f"{now} (first rating)"
    if before == after:
        return f"{now} (unchanged)"
    return f"{level_name(levels, before)} → {now} ({after - before:+d})"


# --- my sittings, per area ---------------------------------------------------------------


@dataclass
class SittingSummary:
    assessment: SelfAssessment
    rated: int
    up: int | None = None  # None: the first sitting of the area (nothing to compare)
    down: int | None = None
    same: int | None = None


@dataclass
class AreaSittings:
    area: Area
    sittings: list[SittingSummary] = field(default_factory=list)  # latest first

    @property
    def latest(self) -> SittingSummary | None:
        return self.sittings[0] if self.sittings else None


def sittings_by_area(user: Any) -> list[AreaSittings]:
    """Every credential area of the default framework with the person's sittings, latest
    first, each with how many ratings went up, down or stayed since the sitting before.
    Four queries, whatever the number of sittings."""
    areas = framework_areas(default_framework())
    rows = list(
        permissions.assessments_visible_to(user).filter(area__in=areas).order_by("taken_at", "pk")
    )
    levels_by_sitting: dict[int, dict[int, int]] = defaultdict(dict)
    for assessment_id, competency_id, level in SelfRating.objects.filter(
        assessment__in=[r.pk for r in rows]
    ).values_list("assessment_id", "competency_id", "level"):
        levels_by_sitting[assessment_id][competency_id] = level
    by_area: dict[int, list[SittingSummary]] = defaultdict(list)
    previous: dict[int, dict[int, int]] = {}
    for row in rows:
        mine = levels_by_sitting[row.pk]
        summary = SittingSummary(assessment=row, rated=len(mine))
        before = previous.get(row.area_id)
        if before is not None:
            shared = [c for c in mine if c in before]
            summary.up = sum(1 for c in shared if mine[c] > before[c])
            summary.down = sum(1 for c in shared if mine[c] < before[c])
            summary.same = sum(1 for c in shared if mine[c] == before[c])
        previous[row.area_id] = mine
        by_area[row.area_id].append(summary)
    out = []
    for area in areas:
        for summary in by_area[area.pk]:
            summary.assessment.area = area
        out.append(AreaSittings(area=area, sittings=list(reversed(by_area[area.pk]))))
    return out


def latest_levels(user: Any, area: Area) -> tuple[SelfAssessment | None, dict[int, int]]:
    """The person's latest sitting of ``area`` and its levels by competency id (what the
    form shows as "last time")."""
    latest = (
        permissions.assessments_visible_to(user)
        .filter(area=area)
        .order_by("-taken_at", "-pk")
        .first()
    )
    if latest is None:
        return None, {}
    return latest, dict(latest.ratings.values_list("competency_id", "level"))


# --- one sitting, with its change and history ---------------------------------------------


@dataclass
class RatingRow:
    competency: Competency
    level: int | None
    name: str
    note: str
    previous: int | None
    change: int | None  # None when either sitting has no rating for it
    change_text: str


@dataclass
class HistoryCell:
    level: int | None
    name: str
    text: str  # the level, and the change since the column before


@dataclass
class HistoryRow:
    competency: Competency
    cells: list[HistoryCell]


@dataclass
class AssessmentDetail:
    assessment: SelfAssessment
    area: Area
    levels: list[str]
    rows: list[RatingRow]
    previous: SelfAssessment | None
    later: SelfAssessment | None
    history: list[SelfAssessment]  # oldest first, ending with this sitting
    history_rows: list[HistoryRow]

    @property
    def went_up(self) -> int:
        return sum(1 for r in self.rows if r.change is not None and r.change > 0)

    @property
    def went_down(self) -> int:
        return sum(1 for r in self.rows if r.change is not None and r.change < 0)

    @property
    def stayed(self) -> int:
        return sum(1 for r in self.rows if r.change == 0)


def _before(assessment: SelfAssessment) -> Q:
    return Q(taken_at__lt=assessment.taken_at) | Q(
        taken_at=assessment.taken_at, pk__lt=assessment.pk
    )


def _after(assessment: SelfAssessment) -> Q:
    return Q(taken_at__gt=assessment.taken_at) | Q(
        taken_at=assessment.taken_at, pk__gt=assessment.pk
    )


def assessment_detail(user: Any, assessment: SelfAssessment) -> AssessmentDetail:
    """One of the person's sittings (already access-checked) with each rating, its change
    since the sitting before of the same area, and up to :data:`HISTORY_SITTINGS` sittings
    side by side for the chart. Five queries, whatever the number of sittings."""
    area = assessment.area
    levels = [str(level) for level in (area.framework.levels or [])]
    competencies = list(area.competencies.order_by("order", "pk"))
    same_area = permissions.assessments_visible_to(user).filter(area=area)
    earlier = list(
        same_area.filter(_before(assessment)).order_by("-taken_at", "-pk")[: HISTORY_SITTINGS - 1]
    )
    later = same_area.filter(_after(assessment)).order_by("taken_at", "pk").first()
    history = [*reversed(earlier), assessment]
    ratings: dict[int, dict[int, SelfRating]] = defaultdict(dict)
    for rating in SelfRating.objects.filter(assessment__in=[s.pk for s in history]):
        ratings[rating.assessment_id][rating.competency_id] = rating
    # A competency added to the area after a sitting, or one dropped since, still shows.
    known = {c.pk for c in competencies}
    extra = {cid for sitting in ratings.values() for cid in sitting if cid not in known}
    if extra:
        competencies += list(Competency.objects.filter(pk__in=extra).order_by("order", "pk"))

    mine = ratings[assessment.pk]
    before = ratings[earlier[0].pk] if earlier else {}
    rows = []
    for competency in competencies:
        now = mine.get(competency.pk)
        then = before.get(competency.pk)
        level = now.level if now else None
        previous = then.level if then else None
        rows.append(
            RatingRow(
                competency=competency,
                level=level,
                name=level_name(levels, level),
                note=now.note if now else "",
                previous=previous,
                change=None if level is None or previous is None else level - previous,
                change_text=change_text(levels, previous, level) if earlier else "",
            )
        )
    history_rows = []
    for competency in competencies:
        cells = []
        last: int | None = None
        for index, sitting in enumerate(history):
            found = ratings[sitting.pk].get(competency.pk)
            level = found.level if found else None
            text = level_name(levels, level) or "Not rated"
            if index and level is not None:
                text = change_text(levels, last, level)
            cells.append(HistoryCell(level=level, name=level_name(levels, level), text=text))
            last = level
        history_rows.append(HistoryRow(competency=competency, cells=cells))
    return AssessmentDetail(
        assessment=assessment,
        area=area,
        levels=levels,
        rows=rows,
        previous=earlier[0] if earlier else None,
        later=later,
        history=history,
        history_rows=history_rows,
    )


def assessments_listing(user: Any, *, area: Area | None = None) -> QuerySet[SelfAssessment]:
    """The person's sittings, latest first, with their area and ratings (the API's list:
    three queries per page)."""
    rows = permissions.assessments_visible_to(user).select_related("area__framework")
    if area is not None:
        rows = rows.filter(area=area)
    return rows.order_by("-taken_at", "-pk").prefetch_related(
        Prefetch(
            "ratings",
            queryset=SelfRating.objects.select_related("competency").order_by(
                "competency__order", "pk"
            ),
        )
    )
