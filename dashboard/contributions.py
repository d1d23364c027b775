"""What a person has contributed, gathered for the "My contributions" page (until the
journals app brings its own record): their posts, the threads they started, the sessions
they were marked at, and the goals they proposed or support. Each list is capped at the
latest :data:`SHOWN` with its total beside it, so the page costs the same number of queries
however much someone has written; only what the person may still open is listed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from cohorts import permissions as cohort_permissions
from cohorts.models import Attendance, LearningGoal
from discussions.models import Post, Thread

SHOWN = 20


@dataclass
class Listed:
    items: list[Any] = field(default_factory=list)
    total: int = 0

    @property
    def more(self) -> int:
        return max(0, self.total - len(self.items))


def _listed(qs: Any) -> Listed:
    return Listed(items=list(qs[:SHOWN]), total=qs.count())


def contributions_of(user: Any) -> dict[str, Listed]:
    readable = cohort_permissions.cohorts_with_content_for(user).values("pk")
    posts = (
        Post.objects.filter(
            author=user,
            thread__cohort__in=readable,
            deleted_at__isnull=True,
            hidden_at__isnull=True,
        )
        .select_related("thread__cohort")
        .order_by("-created_at", "-pk")
    )
    threads = (
        Thread.objects.filter(created_by=user, cohort__in=readable)
        .select_related("cohort")
        .order_by("-created_at", "-pk")
    )
    attendance = (
        Attendance.objects.filter(user=user, session__cohort__in=readable)
        .select_related("session__cohort")
        .order_by("-session__starts_at", "-pk")
    )
    goals = (
        LearningGoal.objects.filter(
            Q(proposed_by=user) | Q(goalsupport__user=user), cohort__in=readable
        )
        .distinct()
        .select_related("cohort")
        .order_by("-created_at", "-pk")
    )
    return {
        "posts": _listed(posts),
        "threads": _listed(threads),
        "attendance": _listed(attendance),
        "goals": _listed(goals),
    }
