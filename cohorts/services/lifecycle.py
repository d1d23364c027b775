"""A cohort's life: proposal, review, approval, activity, conclusion, archive."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.urls import reverse
from django.utils.text import slugify
from guardian.shortcuts import assign_perm

from accounts.models import User
from accounts.services import notify
from cohorts.models import Cohort, CohortReview, CohortTransition, Membership
from cohorts.permissions import FACILITATE, VIEW_CONTENT, forget_cached_permissions
from cohorts.selectors import facilitators_of
from cohorts.services.errors import CohortError, InvalidTransition
from competencies.models import Area, Competency, Framework
from core import quota
from core.realtime import recheck_user_on_commit
from core.text import clean_input

S = Cohort.State
ALLOWED: dict[str, set[str]] = {
    S.DRAFT: {S.SUBMITTED},
    S.SUBMITTED: {S.APPROVED, S.CHANGES_REQUESTED, S.REJECTED},
    S.CHANGES_REQUESTED: {S.SUBMITTED},
    S.APPROVED: {S.ACTIVE},
    S.ACTIVE: {S.CONCLUDED},
    S.CONCLUDED: {S.ARCHIVED},
    S.ARCHIVED: set(),
    S.REJECTED: set(),
}
EDITABLE_FIELDS = (
    "title",
    "description",
    "host_institution",
    "enrollment_period",
    "term_start",
    "term_end",
    "cadence",
    "time_zone",
    "capacity",
    "join_policy",
    "listed",
    "design_knowledge",
    "design_learning",
    "design_identities",
    "design_democratic",
)


# Path segments under /cohorts/ that are pages, not cohorts.
RESERVED_SLUGS = {"propose", "reviews", "calendar", "invitations", "new", "api"}


def _unique_slug(title: str) -> str:
    base = slugify(title)[:60] or "cohort"
    slug, n = base, 2
    while slug in RESERVED_SLUGS or Cohort.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _validate(fields: dict[str, Any]) -> None:
    start, end = fields.get("term_start"), fields.get("term_end")
    if isinstance(start, date) and isinstance(end, date) and end < start:
        raise CohortError("The term must end on or after the day it starts.")
    capacity = fields.get("capacity")
    if capacity is not None and not 2 <= int(capacity) <= 200:
        raise CohortError("Capacity must be between 2 and 200 members.")


# Proposals not yet decided that one person may hold at once, and new ones a day: a draft
# costs the platform nothing to keep, but thousands of them bury the real ones.
OPEN_PROPOSALS_MAX = 5
PROPOSAL_QUOTA = "cohort_proposals"


def _check_proposal_allowance(by: User) -> None:
    open_ones = Cohort.objects.filter(
        proposed_by=by, state__in=(S.DRAFT, S.SUBMITTED, S.CHANGES_REQUESTED)
    ).count()
    if open_ones >= OPEN_PROPOSALS_MAX:
        raise CohortError(
            f"You have {open_ones} proposals still in progress or under review; finish or "
            "withdraw one before starting another.",
            code="rate_limited",
        )
    limit = settings.COHORT_PROPOSALS_PER_DAY
    if not quota.take(PROPOSAL_QUOTA, by.pk, limit=limit):
        raise CohortError(
            f"You can start at most {limit} proposals a day. Try again tomorrow.",
            code="rate_limited",
        )


def _set_focus(
    cohort: Cohort, areas: Iterable[Area] | None, competencies: Iterable[Competency] | None
) -> None:
    if areas is not None:
        areas = list(areas)
        if any(a.framework_id != cohort.framework_id for a in areas):
            raise CohortError("Focus areas must come from the cohort's framework.")
        cohort.focus_areas.set(areas)
    if competencies is not None:
        competencies = list(competencies)
        if any(c.framework_id != cohort.framework_id for c in competencies):
            raise CohortError("Focus competencies must come from the cohort's framework.")
        cohort.focus_competencies.set(competencies)


def _transition(cohort: Cohort, to: str, *, by: User | None, note: str = "") -> Cohort:
    """Move ``cohort`` to state ``to`` if the lifecycle allows it, and record who did it."""
    locked = Cohort.objects.select_for_update().get(pk=cohort.pk)
    if to not in ALLOWED[locked.state]:
        raise InvalidTransition(
            f"A cohort that is {locked.get_state_display().lower()} cannot become "
            f"{Cohort.State(to).label.lower()}."
        )
    CohortTransition.objects.create(
        cohort=locked, from_state=locked.state, to_state=to, by=by, note=note
    )
    locked.state = to
    locked.save(update_fields=["state", "updated_at"])
    cohort.state = to
    return locked


@transaction.atomic
def cohort_propose(
    *,
    by: User,
    title: str,
    framework: Framework | None = None,
    areas: Iterable[Area] | None = None,
    competencies: Iterable[Competency] | None = None,
    co_facilitator_emails: Iterable[str] = (),
    **fields: Any,
) -> Cohort:
    """Create a draft cohort proposed by ``by``, who becomes its first facilitator.
    Co-facilitators are invited by e-mail."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not cohort fields: {sorted(unknown)}")
    fields = clean_input(Cohort, {"title": title, **fields}, error=CohortError)
    title = fields.pop("title").strip()
    if not title:
        raise CohortError("Give the cohort a title.")
    _validate(fields)
    _check_proposal_allowance(by)
    framework = framework or Framework.objects.filter(is_default=True).first()
    if framework is None:
        raise CohortError("No competency framework is loaded yet.")
    slug = _unique_slug(title)
    cohort = Cohort.objects.create(
        slug=slug,
        title=title,
        framework=framework,
        proposed_by=by,
        member_group=Group.objects.create(name=f"cohort:{slug}:members"),
        facilitator_group=Group.objects.create(name=f"cohort:{slug}:facilitators"),
        **fields,
    )
    assign_perm(f"cohorts.{VIEW_CONTENT}", cohort.member_group, cohort)
    assign_perm(f"cohorts.{VIEW_CONTENT}", cohort.facilitator_group, cohort)
    assign_perm(f"cohorts.{FACILITATE}", cohort.facilitator_group, cohort)
    _set_focus(cohort, areas, competencies)
    CohortTransition.objects.create(
        cohort=cohort, from_state=S.DRAFT, to_state=S.DRAFT, by=by, note="Proposed"
    )
    from cohorts.services.membership import _seat, invitations_create

    _seat(cohort, by, role=Membership.Role.FACILITATOR, by=by)
    others = [e for e in co_facilitator_emails if e and e.strip().lower() != by.email]
    if others:
        invitations_create(cohort=cohort, by=by, emails=others, role=Membership.Role.FACILITATOR)
    return cohort


@transaction.atomic
def cohort_update(
    *,
    cohort: Cohort,
    by: User,
    areas: Iterable[Area] | None = None,
    competencies: Iterable[Competency] | None = None,
    **fields: Any,
) -> Cohort:
    """Change a cohort's details. The proposal (design, policy, term) is frozen once
    submitted; after approval facilitators may still adjust the practical details."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not cohort fields: {sorted(unknown)}")
    fields = clean_input(Cohort, fields, error=CohortError)
    locked = Cohort.objects.select_for_update().get(pk=cohort.pk)
    if locked.state in (S.SUBMITTED, S.ARCHIVED, S.REJECTED):
        raise CohortError(
            f"A cohort that is {locked.get_state_display().lower()} cannot be edited."
        )
    if locked.state not in (S.DRAFT, S.CHANGES_REQUESTED):
        frozen = {"design_knowledge", "design_learning", "design_identities", "design_democratic"}
        if frozen & set(fields):
            raise CohortError("The approved design can only change through a new review.")
    _validate({"term_start": locked.term_start, "term_end": locked.term_end, **fields})
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.save(update_fields=[*fields, "updated_at"])
    _set_focus(locked, areas, competencies)
    if "capacity" in fields:
        # New places belong to the people already waiting, in order, not to the next joiner.
        from cohorts.services.membership import _promote_waitlist

        _promote_waitlist(locked)
    return locked


@transaction.atomic
def cohort_submit(*, cohort: Cohort, by: User) -> Cohort:
    """Send a draft (or a revised proposal) to program staff for review."""
    missing = [
        label
        for label, value in (
            ("a description", cohort.description),
            ("how everyone shares knowledge", cohort.design_knowledge),
            ("how everyone learns", cohort.design_learning),
            ("identities and ways of knowing", cohort.design_identities),
            ("the democratic design", cohort.design_democratic),
        )
        if not value.strip()
    ]
    if missing:
        raise CohortError("Before submitting, describe " + ", ".join(missing) + ".")
    if not cohort.focus_areas.exists():
        raise CohortError("Before submitting, choose at least one focus credential area.")
    cohort = _transition(cohort, S.SUBMITTED, by=by)
    from accounts.roles import PlatformRole

    staff = User.objects.filter(groups__name=PlatformRole.PROGRAM_STAFF.value, is_active=True)
    notify(
        users=staff,
        kind="cohort.submitted",
        title=f"New cohort to review: {cohort.title}",
        body=f"{by.display_name} submitted “{cohort.title}” for review.",
        url=reverse("cohorts:review", args=[cohort.slug]),
    )
    return cohort


@transaction.atomic
def cohort_review(
    *,
    cohort: Cohort,
    reviewer: User,
    decision: str,
    message: str,
    judgements: dict[str, tuple[str, str]],
) -> CohortReview:
    """Record program staff's review and its decision; the facilitators are told by e-mail
    and in-app. ``judgements`` maps each criterion to (judgement, note)."""
    criteria = [name for name, _ in CohortReview.CRITERIA]
    if set(judgements) != set(criteria):
        raise CohortError("Every principle needs a judgement.")
    texts = clean_input(
        CohortReview,
        {"message": message, **{f"{name}_note": judgements[name][1] for name in criteria}},
        error=CohortError,
    )
    message = texts["message"]
    judgements = {name: (judgements[name][0], texts[f"{name}_note"]) for name in criteria}
    if any(j not in CohortReview.Judgement.values for j, _ in judgements.values()):
        raise CohortError("Unknown judgement.")
    if decision not in CohortReview.Decision.values:
        raise CohortError("Choose approve, request changes or reject.")
    if not message.strip():
        raise CohortError("Write a message to the facilitators.")
    if decision == CohortReview.Decision.APPROVE and any(
        j == CohortReview.Judgement.NOT_MET for j, _ in judgements.values()
    ):
        raise CohortError("A cohort cannot be approved while a principle does not hold yet.")
    target = {
        CohortReview.Decision.APPROVE: S.APPROVED,
        CohortReview.Decision.REQUEST_CHANGES: S.CHANGES_REQUESTED,
        CohortReview.Decision.REJECT: S.REJECTED,
    }[CohortReview.Decision(decision)]
    cohort = _transition(cohort, target, by=reviewer, note=message)
    review = CohortReview.objects.create(
        cohort=cohort,
        reviewer=reviewer,
        decision=decision,
        message=message,
        **{name: judgements[name][0] for name in criteria},
        **{f"{name}_note": judgements[name][1] for name in criteria},
    )
    verdict = CohortReview.Decision(decision).label.lower()
    notify(
        users=facilitators_of(cohort),
        kind="cohort.reviewed",
        title=f"Review of “{cohort.title}”: {verdict}",
        body=message,
        url=cohort.get_absolute_url(),
        email=True,
    )
    return review


@transaction.atomic
def cohort_activate(*, cohort: Cohort, by: User) -> Cohort:
    return _transition(cohort, S.ACTIVE, by=by)


@transaction.atomic
def cohort_conclude(*, cohort: Cohort, by: User) -> Cohort:
    """End the term: active members become alumni (they keep read access); pending
    requests and the waitlist are closed."""
    cohort = _transition(cohort, S.CONCLUDED, by=by)
    members = Membership.objects.filter(
        cohort=cohort, status=Membership.Status.ACTIVE, role=Membership.Role.MEMBER
    )
    # Alumni keep reading but no longer post: their open sockets re-check at once.
    for user_id in members.values_list("user_id", flat=True):
        recheck_user_on_commit(user_id)
    members.update(status=Membership.Status.ALUMNI)
    Membership.objects.filter(
        cohort=cohort, status__in=[Membership.Status.REQUESTED, Membership.Status.WAITLISTED]
    ).update(status=Membership.Status.DECLINED, decision_message="The cohort has concluded.")
    forget_cached_permissions(by)
    return cohort


@transaction.atomic
def cohort_archive(*, cohort: Cohort, by: User) -> Cohort:
    cohort = _transition(cohort, S.ARCHIVED, by=by)
    for user_id in Membership.objects.filter(
        cohort=cohort, status__in=Membership.SEATED
    ).values_list("user_id", flat=True):
        recheck_user_on_commit(user_id)
    return cohort
