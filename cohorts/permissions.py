"""Who may see and do what with a cohort. Views, the API, templates and (later) consumers
ask only these functions.

Per-cohort roles are django-guardian object permissions held by two groups per cohort
(members, facilitators); membership services are the only code that puts people in them.
Anything a person may not see answers 404, exactly as if it did not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from django.db.models import Q, QuerySet
from guardian.core import ObjectPermissionChecker
from guardian.shortcuts import get_objects_for_user

from accounts.roles import is_program_staff
from cohorts.models import Cohort, Membership
from core.errors import not_found

VIEW_CONTENT = "view_cohort_content"
FACILITATE = "facilitate_cohort"
# States in which a listed cohort is shown to everyone (directory card and about page).
PUBLIC_STATES = (Cohort.State.APPROVED, Cohort.State.ACTIVE, Cohort.State.CONCLUDED)
JOINABLE_STATES = (Cohort.State.APPROVED, Cohort.State.ACTIVE)
EDITABLE_STATES = (Cohort.State.DRAFT, Cohort.State.CHANGES_REQUESTED)


def _checker(user: Any) -> ObjectPermissionChecker:
    """One guardian checker per user object, so a page asks the database once."""
    checker = getattr(user, "_cohort_perm_checker", None)
    if checker is None:
        checker = ObjectPermissionChecker(user)
        user._cohort_perm_checker = checker
    return checker


def forget_cached_permissions(user: Any) -> None:
    for attr in ("_cohort_perm_checker", "_platform_role_names"):
        if hasattr(user, attr):
            delattr(user, attr)


def is_staff(user: Any) -> bool:
    return is_program_staff(user)


def can_view_content(user: Any, cohort: Cohort) -> bool:
    """Members-only pages: home, sessions, goals, members, calendar."""
    if not getattr(user, "is_authenticated", False):
        return False
    return is_staff(user) or _checker(user).has_perm(VIEW_CONTENT, cohort)


def can_facilitate(user: Any, cohort: Cohort) -> bool:
    """Facilitator actions. Staff oversee cohorts but do not facilitate them."""
    if not getattr(user, "is_authenticated", False):
        return False
    return _checker(user).has_perm(FACILITATE, cohort)


def is_public(cohort: Cohort) -> bool:
    return cohort.listed and cohort.state in PUBLIC_STATES


def can_view_cohort(user: Any, cohort: Cohort, *, invited: bool = False) -> bool:
    """The cohort's page at all: its about page for the public, its home for members."""
    if is_public(cohort) or invited or can_view_content(user, cohort):
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    # People waiting for an answer can see what they asked to join.
    return Membership.objects.filter(
        cohort=cohort,
        user=user,
        status__in=[Membership.Status.REQUESTED, Membership.Status.WAITLISTED],
    ).exists()


def takes_part(membership: Membership | None) -> bool:
    """Active members and facilitators contribute (propose and support goals); alumni and
    staff read. From a membership the caller has already loaded."""
    return membership is not None and membership.status == Membership.Status.ACTIVE


def can_take_part(user: Any, cohort: Cohort) -> bool:
    """Propose learning goals and support them: active members and facilitators."""
    if not can_view_content(user, cohort):
        return False
    return takes_part(Membership.objects.filter(cohort=cohort, user=user).first())


def can_edit_proposal(user: Any, cohort: Cohort) -> bool:
    return cohort.state in EDITABLE_STATES and can_facilitate(user, cohort)


def can_review(user: Any, cohort: Cohort) -> bool:
    return is_staff(user) and cohort.state == Cohort.State.SUBMITTED


def can_see_reviews(user: Any, cohort: Cohort) -> bool:
    return is_staff(user) or can_facilitate(user, cohort)


def can_request_to_join(user: Any, cohort: Cohort) -> bool:
    return (
        getattr(user, "is_authenticated", False)
        and cohort.state in JOINABLE_STATES
        and cohort.join_policy != Cohort.JoinPolicy.INVITATION
        and is_public(cohort)
    )


CohortNeed = Literal["view", "content", "take_part", "facilitate", "edit", "review"]
# What each ``need`` of access_cohort asks.
_COHORT_RULES: dict[str, Callable[[Any, Cohort], bool]] = {
    "view": can_view_cohort,  # its page at all (the about page for the public)
    "content": can_view_content,  # members-only pages (home, sessions, threads...)
    "take_part": can_take_part,  # propose and support goals
    "facilitate": can_facilitate,  # the console, sessions, lifecycle, participation
    "edit": can_edit_proposal,  # the proposal form
    "review": lambda user, cohort: is_staff(user),  # staff's review page
}
# Needs that depend on the person alone: refused before the cohort is looked up.
_PERSON_RULES: dict[str, Callable[[Any], bool]] = {"review": is_staff}


def access_cohort(
    user: Any,
    *,
    slug: str,
    need: CohortNeed = "view",
    queryset: QuerySet[Cohort] | None = None,
) -> Cohort:
    """The cohort with ``slug`` if ``user`` may do what ``need`` says with it; otherwise the
    same 404 whether it does not exist or is not theirs. ``queryset`` loads what the caller
    shows (the framework only, by default)."""
    if need in _PERSON_RULES and not _PERSON_RULES[need](user):
        raise not_found()
    rows = Cohort.objects.select_related("framework") if queryset is None else queryset
    cohort = rows.filter(slug=slug).first()
    if cohort is None or not _COHORT_RULES[need](user, cohort):
        raise not_found()
    return cohort


def cohorts_with_content_for(user: Any) -> QuerySet[Cohort]:
    """Cohorts whose members-only pages ``user`` may open (one subquery, no loop)."""
    if not getattr(user, "is_authenticated", False):
        return Cohort.objects.none()
    if is_staff(user):
        return Cohort.objects.all()
    return get_objects_for_user(
        user, f"cohorts.{VIEW_CONTENT}", klass=Cohort, accept_global_perms=False
    )


def cohorts_visible_to(user: Any) -> QuerySet[Cohort]:
    """Every cohort whose page ``user`` may open: public ones plus their own."""
    public = Q(listed=True, state__in=PUBLIC_STATES)
    if not getattr(user, "is_authenticated", False):
        return Cohort.objects.filter(public)
    if is_staff(user):
        return Cohort.objects.all()
    own = cohorts_with_content_for(user).values("pk")
    waiting = Membership.objects.filter(
        user=user, status__in=[Membership.Status.REQUESTED, Membership.Status.WAITLISTED]
    ).values("cohort_id")
    return Cohort.objects.filter(public | Q(pk__in=own) | Q(pk__in=waiting))
