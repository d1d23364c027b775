"""What the cohorts app holds about a person, for "My data" and account deletion.

Memberships, attendance and goal support go with the account; cohorts they proposed,
the goals they proposed and reviews they wrote stay with the cohort, attributed to a
former member."""

from __future__ import annotations

from typing import Any

from cohorts.models import Attendance, Cohort, CohortReview, GoalSupport, LearningGoal, Membership
from core.data import DELETED, KEPT, AddFile, DataLine, DataSource


def collect(user: Any, add_file: AddFile) -> dict[str, Any]:
    return {
        "memberships": list(
            Membership.objects.filter(user=user)
            .order_by("created_at", "pk")
            .values(
                "cohort__slug",
                "cohort__title",
                "role",
                "status",
                "request_message",
                "decision_message",
                "created_at",
                "decided_at",
            )
        ),
        "attendance": list(
            Attendance.objects.filter(user=user)
            .order_by("session__starts_at", "pk")
            .values("session__cohort__slug", "session__title", "session__starts_at", "status")
        ),
        "goals_proposed": list(
            LearningGoal.objects.filter(proposed_by=user)
            .order_by("created_at", "pk")
            .values("cohort__slug", "title", "description", "status", "created_at")
        ),
        "goals_supported": list(
            GoalSupport.objects.filter(user=user)
            .order_by("created_at", "pk")
            .values("goal__cohort__slug", "goal__title", "created_at")
        ),
        "cohorts_proposed": list(
            Cohort.objects.filter(proposed_by=user)
            .order_by("pk")
            .values("slug", "title", "state", "created_at")
        ),
    }


def summarize(user: Any) -> list[DataLine]:
    return [
        DataLine(
            "Cohort memberships and join requests",
            Membership.objects.filter(user=user).count(),
            DELETED,
        ),
        DataLine("Attendance records", Attendance.objects.filter(user=user).count(), DELETED),
        DataLine(
            "Learning goals you supported", GoalSupport.objects.filter(user=user).count(), DELETED
        ),
        DataLine(
            "Learning goals you proposed (they stay with the cohort)",
            LearningGoal.objects.filter(proposed_by=user).count(),
            KEPT,
        ),
        DataLine(
            "Cohorts you proposed (they stay, with their members)",
            Cohort.objects.filter(proposed_by=user).count(),
            KEPT,
        ),
        DataLine(
            "Cohort reviews you wrote", CohortReview.objects.filter(reviewer=user).count(), KEPT
        ),
    ]


SOURCE = DataSource("cohorts", "Cohorts", collect, summarize)
