"""Self-assessments: every key competency of the area rated on the framework's levels,
each sitting its own dated record (earlier ones kept exactly as they were)."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import User
from competencies.models import Area
from journals import permissions
from journals.models import SelfAssessment, SelfRating
from journals.services import JournalError, RatingInput, self_assessment_take

pytestmark = pytest.mark.django_db

LEVELS = ["Not yet", "Emerging", "Developing", "Proficient", "Exemplary"]


def codes(area: Area) -> list[str]:
    return list(area.competencies.order_by("order").values_list("code", flat=True))


def ratings(
    area: Area, levels: list[Any], notes: dict[str, str] | None = None
) -> list[RatingInput]:
    notes = notes or {}
    return [
        RatingInput(code, level, notes.get(code, ""))
        for code, level in zip(codes(area), levels, strict=True)
    ]


def test_the_framework_has_the_levels_these_tests_rate_on(partnerships: Area) -> None:
    assert list(partnerships.framework.levels) == LEVELS
    assert codes(partnerships) == ["PAR-1", "PAR-2", "PAR-3", "PAR-4", "PAR-5"]


def test_every_competency_rated_makes_a_dated_record(member: User, partnerships: Area) -> None:
    taken = self_assessment_take(
        user=member,
        area=partnerships,
        ratings=ratings(partnerships, [1, 2, 2, 0, 4], {"PAR-5": "I led the power mapping."}),
        note="Before the cohort",
    )
    assert taken.user_id == member.pk and taken.area_id == partnerships.pk
    assert taken.note == "Before the cohort" and taken.taken_at is not None
    rows = {
        r.competency.code: (r.level, r.note) for r in taken.ratings.select_related("competency")
    }
    assert rows == {
        "PAR-1": (1, ""),
        "PAR-2": (2, ""),
        "PAR-3": (2, ""),
        "PAR-4": (0, ""),
        "PAR-5": (4, "I led the power mapping."),
    }


def test_competencies_may_be_named_by_object_id_or_code(member: User, partnerships: Area) -> None:
    one, two, three, _four, five = partnerships.competencies.order_by("order")
    taken = self_assessment_take(
        user=member,
        area=partnerships,
        ratings=[
            RatingInput(one, 1),
            RatingInput(two.pk, 1),
            RatingInput(str(three.pk), "2"),
            RatingInput("PAR-4", 3),
            RatingInput(five.code, 0),
        ],
    )
    assert taken.ratings.count() == 5


def test_every_competency_must_be_rated(member: User, partnerships: Area) -> None:
    with pytest.raises(JournalError) as caught:
        self_assessment_take(
            user=member, area=partnerships, ratings=ratings(partnerships, [1, 1, 1, 1, 1])[:3]
        )
    assert caught.value.field == "ratings"
    assert "PAR-4" in caught.value.message and "PAR-5" in caught.value.message
    assert not SelfAssessment.objects.exists()


@pytest.mark.parametrize("bad", [5, -1, 99, "high", None, "2.5"])
def test_a_level_outside_the_scale_is_refused(member: User, partnerships: Area, bad: Any) -> None:
    with pytest.raises(JournalError) as caught:
        self_assessment_take(
            user=member, area=partnerships, ratings=ratings(partnerships, [1, 1, bad, 1, 1])
        )
    par3 = partnerships.competencies.get(code="PAR-3")
    assert caught.value.field == f"level_{par3.pk}"
    assert "PAR-3" in caught.value.message
    assert not SelfAssessment.objects.exists() and not SelfRating.objects.exists()


def test_a_competency_of_another_area_is_refused(
    member: User, partnerships: Area, framework: Any
) -> None:
    with pytest.raises(JournalError) as caught:
        self_assessment_take(
            user=member,
            area=partnerships,
            ratings=[*ratings(partnerships, [1, 1, 1, 1, 1]), RatingInput("FUN-1", 2)],
        )
    assert caught.value.field == "ratings"
    assert not SelfAssessment.objects.exists()


def test_an_overlong_note_is_refused(member: User, partnerships: Area) -> None:
    with pytest.raises(JournalError) as caught:
        self_assessment_take(
            user=member,
            area=partnerships,
            ratings=ratings(partnerships, [1, 1, 1, 1, 1], {"PAR-2": "x" * 1001}),
        )
    assert caught.value.field == "note"
    with pytest.raises(JournalError):
        self_assessment_take(
            user=member, area=partnerships, ratings=ratings(partnerships, [1] * 5), note="y" * 1001
        )
    assert not SelfAssessment.objects.exists()


def test_a_framework_without_levels_cannot_be_assessed(member: User, partnerships: Area) -> None:
    framework = partnerships.framework
    framework.levels = []
    framework.save(update_fields=["levels"])
    with pytest.raises(JournalError):
        self_assessment_take(
            user=member,
            area=Area.objects.get(pk=partnerships.pk),
            ratings=ratings(partnerships, [0] * 5),
        )


def test_taking_it_again_keeps_both_sittings_as_they_were(member: User, partnerships: Area) -> None:
    first = self_assessment_take(
        user=member, area=partnerships, ratings=ratings(partnerships, [1, 2, 2, 1, 0])
    )
    second = self_assessment_take(
        user=member, area=partnerships, ratings=ratings(partnerships, [2, 2, 3, 1, 2])
    )
    assert first.pk != second.pk
    mine = list(permissions.assessments_visible_to(member).filter(area=partnerships))
    assert mine == [second, first]  # newest first
    levels = {
        a.pk: dict(a.ratings.values_list("competency__code", "level")) for a in (first, second)
    }
    assert levels[first.pk] == {"PAR-1": 1, "PAR-2": 2, "PAR-3": 2, "PAR-4": 1, "PAR-5": 0}
    assert levels[second.pk] == {"PAR-1": 2, "PAR-2": 2, "PAR-3": 3, "PAR-4": 1, "PAR-5": 2}


def test_a_repeated_competency_counts_once_with_the_last_rating(
    member: User, partnerships: Area
) -> None:
    taken = self_assessment_take(
        user=member,
        area=partnerships,
        ratings=[*ratings(partnerships, [1, 1, 1, 1, 1]), RatingInput("PAR-1", 3)],
    )
    assert taken.ratings.count() == 5
    assert taken.ratings.get(competency__code="PAR-1").level == 3
