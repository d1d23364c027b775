"""Collective learning goals: found in the process, pursued together."""

from __future__ import annotations

from django.db import transaction

from accounts.models import User
from cohorts.models import Cohort, GoalSupport, LearningGoal
from cohorts.services.errors import CohortError
from core.text import clean_input


@transaction.atomic
def goal_propose(*, cohort: Cohort, by: User, title: str, description: str = "") -> LearningGoal:
    """Any member proposes a goal; proposing counts as supporting it."""
    texts = clean_input(
        LearningGoal, {"title": title, "description": description}, error=CohortError
    )
    title, description = texts["title"].strip(), texts["description"]
    if not title:
        raise CohortError("Give the goal a short title.")
    goal = LearningGoal.objects.create(
        cohort=cohort, title=title, description=description.strip(), proposed_by=by
    )
    GoalSupport.objects.create(goal=goal, user=by)
    return goal


def goal_support(*, goal: LearningGoal, user: User) -> None:
    if goal.status == LearningGoal.Status.SET_ASIDE:
        raise CohortError("This goal was set aside.")
    GoalSupport.objects.get_or_create(goal=goal, user=user)


def goal_unsupport(*, goal: LearningGoal, user: User) -> None:
    GoalSupport.objects.filter(goal=goal, user=user).delete()


@transaction.atomic
def goal_set_status(*, goal: LearningGoal, by: User, status: str, note: str = "") -> LearningGoal:
    """Facilitators record where the group stands on a goal, after discussing it."""
    if status not in LearningGoal.Status.values:
        raise CohortError("Unknown goal status.")
    note = clean_input(LearningGoal, {"status_note": note}, error=CohortError)["status_note"]
    goal.status = status
    goal.status_note = note.strip()
    goal.save(update_fields=["status", "status_note", "updated_at"])
    return goal
