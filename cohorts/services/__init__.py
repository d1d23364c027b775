"""Every write to cohorts goes through these services."""

from cohorts.services.errors import CohortError, InvalidTransition
from cohorts.services.goals import goal_propose, goal_set_status, goal_support, goal_unsupport
from cohorts.services.lifecycle import (
    cohort_activate,
    cohort_archive,
    cohort_conclude,
    cohort_propose,
    cohort_review,
    cohort_submit,
    cohort_update,
)
from cohorts.services.membership import (
    invitation_accept,
    invitation_create,
    invitation_for_token,
    invitation_revoke,
    invitations_create,
    membership_accept,
    membership_decline,
    membership_join,
    membership_leave,
    membership_remove,
)
from cohorts.services.sessions import (
    attendance_record,
    calendar_token_for,
    calendar_token_reset,
    session_cancel,
    session_create,
    session_update,
    sessions_apply_template,
    sessions_template_plan,
)

__all__ = [
    "CohortError",
    "InvalidTransition",
    "attendance_record",
    "calendar_token_for",
    "calendar_token_reset",
    "cohort_activate",
    "cohort_archive",
    "cohort_conclude",
    "cohort_propose",
    "cohort_review",
    "cohort_submit",
    "cohort_update",
    "goal_propose",
    "goal_set_status",
    "goal_support",
    "goal_unsupport",
    "invitation_accept",
    "invitation_create",
    "invitation_for_token",
    "invitation_revoke",
    "invitations_create",
    "membership_accept",
    "membership_decline",
    "membership_join",
    "membership_leave",
    "membership_remove",
    "session_cancel",
    "session_create",
    "session_update",
    "sessions_apply_template",
    "sessions_template_plan",
]
