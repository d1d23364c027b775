"""Self-assessments: each sitting is its own dated record."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from accounts.models import User
from competencies.models import Area
from core.text import clean_input
from journals.models import SelfAssessment, SelfRating
from journals.services.common import JournalError, field_error


@dataclass
class RatingInput:
    competency: Any  # a Competency, its id or its code
    level: int
    note: str = ""


@transaction.atomic
def self_assessment_take(
    *, user: User, area: Area, ratings: Sequence[RatingInput], note: str = ""
) -> SelfAssessment:
    """Rate every key competency of ``area`` on its framework's levels. A new record each
    time: earlier sittings are kept as they were, so change can be shown."""
    levels = list(area.framework.levels or [])
    if not levels:
        raise JournalError("This framework has no rating levels to assess against.")
    competencies = list(area.competencies.all())
    by_key: dict[Any, Any] = {}
    for competency in competencies:
        by_key[competency.pk] = competency
        by_key[str(competency.pk)] = competency
        by_key[competency.code] = competency
    chosen: dict[int, tuple[int, str]] = {}
    for rating in ratings:
        key = rating.competency.pk if hasattr(rating.competency, "pk") else rating.competency
        found = by_key.get(key)
        if found is None:
            raise JournalError("Rate only the competencies of this area.", field="ratings")
        competency = found
        try:
            level = int(rating.level)
        except (TypeError, ValueError):
            level = -1
        if not 0 <= level < len(levels):
            raise JournalError(
                f"Choose a level for {competency.code} from the list.",
                field=f"level_{competency.pk}",
            )
        text = clean_input(SelfRating, {"note": (rating.note or "").strip()}, error=field_error)
        chosen[competency.pk] = (level, text["note"])
    missing = [c.code for c in competencies if c.pk not in chosen]
    if missing:
        raise JournalError(
            "Rate every competency of the area (missing: " + ", ".join(missing) + ").",
            field="ratings",
        )
    cleaned = clean_input(SelfAssessment, {"note": (note or "").strip()}, error=field_error)
    assessment = SelfAssessment.objects.create(user=user, area=area, note=cleaned["note"])
    SelfRating.objects.bulk_create(
        SelfRating(assessment=assessment, competency_id=pk, level=level, note=text)
        for pk, (level, text) in chosen.items()
    )
    return assessment
