"""What cohorts adds to the pages that gather across apps (registered in
``CohortsConfig.ready``): the "My cohorts", "Next sessions" and (for program staff)
"Reviews" panels of the dashboard and the attendance column of the facilitators'
participation view."""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, Subquery

from cohorts import permissions, selectors
from cohorts.models import Attendance, Cohort, Membership
from core.registry import Panel, ParticipationSource


def my_cohorts(user: Any) -> dict[str, Any]:
    mine = Membership.objects.filter(cohort=OuterRef("pk"), user=user)
    cohorts = selectors.cohorts_of(user).annotate(
        my_role=Subquery(mine.values("role")[:1]),
        my_status=Subquery(mine.values("status")[:1]),
    )
    return {"my_cohorts": list(cohorts)}


def next_sessions(user: Any) -> dict[str, Any]:
    return {"next_sessions": list(selectors.upcoming_sessions_for(user, limit=3))}


def reviews_waiting(user: Any) -> dict[str, Any]:
    """Program staff see how many proposals wait for review; others see nothing."""
    if not permissions.is_staff(user):
        return {"reviews_waiting": None}
    return {"reviews_waiting": selectors.review_queue_count()}


PANELS = (
    Panel("cohorts.reviews", "cohorts/_dashboard_reviews.html", reviews_waiting, order=5),
    Panel("cohorts.mine", "cohorts/_dashboard_my_cohorts.html", my_cohorts, order=10),
    Panel("cohorts.next", "cohorts/_dashboard_next_sessions.html", next_sessions, order=20),
)


def sessions_attended(cohort: Cohort) -> dict[int, int]:
    return {
        user_id: statuses.get(Attendance.Status.PRESENT, 0)
        for user_id, statuses in selectors.attendance_counts(cohort).items()
    }


ATTENDED = ParticipationSource(
    key="attended",
    label="Sessions attended",
    counts=sessions_attended,
    help="Sessions where attendance was recorded as present.",
    out_of_held=True,
)
