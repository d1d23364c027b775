"""Collective learning goals: proposed by anyone, supported by members, tended by facilitators."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from cohorts.models import Cohort, GoalSupport, LearningGoal, Membership
from cohorts.services import (
    CohortError,
    goal_propose,
    goal_set_status,
    goal_support,
    goal_unsupport,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def goals_cohort(
    cohort_in_state: Callable[..., Cohort], seat: Callable[..., Membership], member: User
) -> Cohort:
    cohort = cohort_in_state(state=Cohort.State.ACTIVE)
    seat(cohort, member)
    return cohort


def supporters(goal: LearningGoal) -> set[User]:
    return set(goal.supporters.all())


def test_proposing_a_goal_counts_as_supporting_it(goals_cohort: Cohort, member: User) -> None:
    goal = goal_propose(
        cohort=goals_cohort,
        by=member,
        title="  Write partnership agreements with partners, not for them ",
        description=" Co-authored MOUs. ",
    )
    assert goal.title == "Write partnership agreements with partners, not for them"
    assert goal.description == "Co-authored MOUs."
    assert (goal.status, goal.proposed_by) == ("proposed", member)
    assert supporters(goal) == {member}


def test_a_goal_needs_a_title(goals_cohort: Cohort, member: User) -> None:
    with pytest.raises(CohortError) as refused:
        goal_propose(cohort=goals_cohort, by=member, title="   ")
    assert refused.value.message == "Give the goal a short title."
    assert not LearningGoal.objects.exists()


def test_support_and_unsupport_are_idempotent(
    goals_cohort: Cohort, member: User, facilitator: User
) -> None:
    goal = goal_propose(cohort=goals_cohort, by=member, title="Map community assets together")
    goal_support(goal=goal, user=facilitator)
    goal_support(goal=goal, user=facilitator)
    assert supporters(goal) == {member, facilitator}
    assert GoalSupport.objects.filter(goal=goal).count() == 2
    goal_unsupport(goal=goal, user=facilitator)
    goal_unsupport(goal=goal, user=facilitator)
    assert supporters(goal) == {member}


@pytest.mark.parametrize("status", ["adopted", "in_progress", "achieved", "set_aside"])
def test_facilitators_record_where_the_group_stands_on_a_goal(
    goals_cohort: Cohort, member: User, facilitator: User, status: str
) -> None:
    goal = goal_propose(cohort=goals_cohort, by=member, title="Share evaluation tools")
    goal_set_status(goal=goal, by=facilitator, status=status, note="  Agreed in session 2. ")
    goal.refresh_from_db()
    assert (goal.status, goal.status_note) == (status, "Agreed in session 2.")


def test_an_unknown_goal_status_is_refused(
    goals_cohort: Cohort, member: User, facilitator: User
) -> None:
    goal = goal_propose(cohort=goals_cohort, by=member, title="Share evaluation tools")
    with pytest.raises(CohortError, match="Unknown goal status"):
        goal_set_status(goal=goal, by=facilitator, status="done")
    goal.refresh_from_db()
    assert goal.status == "proposed"


def test_a_goal_set_aside_takes_no_new_support(
    goals_cohort: Cohort, member: User, facilitator: User
) -> None:
    goal = goal_propose(cohort=goals_cohort, by=member, title="Publish a joint paper")
    goal_set_status(goal=goal, by=facilitator, status="set_aside", note="Not this term.")
    with pytest.raises(CohortError, match="set aside"):
        goal_support(goal=goal, user=facilitator)
    assert supporters(goal) == {member}
    goal_unsupport(goal=goal, user=member)  # withdrawing is still fine
    assert supporters(goal) == set()


def test_a_refused_goal_comes_back_with_what_was_typed(
    approved_cohort: Cohort, cohort_member: User, signed_in: Callable[[User], Client]
) -> None:
    client = signed_in(cohort_member)
    long_title = "Map every partner " * 20  # over 200 characters
    client.post(
        reverse("cohorts:goal_propose", args=[approved_cohort.slug]),
        {"title": long_title, "description": "Why it matters to us"},
    )
    page = client.get(reverse("cohorts:detail", args=[approved_cohort.slug])).content.decode()
    assert "Why it matters to us" in page
    assert "Map every partner" in page
    # Shown once: a fresh visit starts with an empty form again.
    again = client.get(reverse("cohorts:detail", args=[approved_cohort.slug])).content.decode()
    assert "Why it matters to us" not in again
