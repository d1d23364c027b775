"""What cohorts adds to the pages that gather across apps (registered in
``CohortsConfig.ready``): the "My cohorts" panel of the dashboard (with my requests still
waiting and my unused invitations), the "Next sessions" and (for program staff) "Reviews"
panels, and the attendance column of the facilitators' participation view."""

from __future__ import annotations

from typing import Any

from cohorts import permissions, selectors
from cohorts.models import Attendance, Cohort, Membership
from core.registry import Panel, ParticipationSource


def my_cohorts(user: Any) -> dict[str, Any]:
    """The cohorts I am in, and, in the same query, my requests still waiting and the
    invitations I have not used yet."""
    seated: list[Cohort] = []
    requests: list[Cohort] = []
    invitations: list[Cohort] = []
    for cohort in selectors.cohorts_and_pending_of(user):
        if cohort.my_status in Membership.SEATED:
            seated.append(cohort)
        elif cohort.my_status in (Membership.Status.REQUESTED, Membership.Status.WAITLISTED):
            requests.append(cohort)
        if cohort.invited_until and not (
            cohort.my_status in Membership.SEATED
            and (cohort.my_role == cohort.invited_role or cohort.invited_role == "member")
        ):
            invitations.append(cohort)
    return {"my_cohorts": seated, "my_requests": requests, "my_invitations": invitations}


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
