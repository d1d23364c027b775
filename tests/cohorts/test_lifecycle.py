"""A cohort's lifecycle: every state pair, submission, review and who is told."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Notification, User
from cohorts import services
from cohorts.models import Cohort, CohortReview, CohortTransition, Membership
from cohorts.services import (
    CohortError,
    InvalidTransition,
    cohort_activate,
    cohort_archive,
    cohort_conclude,
    cohort_review,
    cohort_submit,
    cohort_update,
)
from cohorts.services.lifecycle import _transition
from tests.helpers import judgements

pytestmark = pytest.mark.django_db

S = Cohort.State
# The lifecycle as the issue describes it, written out independently of the service's table.
LEGAL = {
    (S.DRAFT, S.SUBMITTED),
    (S.SUBMITTED, S.APPROVED),
    (S.SUBMITTED, S.CHANGES_REQUESTED),
    (S.SUBMITTED, S.REJECTED),
    (S.CHANGES_REQUESTED, S.SUBMITTED),
    (S.APPROVED, S.ACTIVE),
    (S.ACTIVE, S.CONCLUDED),
    (S.CONCLUDED, S.ARCHIVED),
}
ALL_PAIRS = list(itertools.product(S.values, S.values))


def move(cohort: Cohort, to: str, *, facilitator: User, staff: User) -> Any:
    """Ask the service that leads to ``to``. No service leads back to draft, so that
    target goes straight to the guarded transition every service uses."""
    review = {
        S.APPROVED: "approve",
        S.CHANGES_REQUESTED: "request_changes",
        S.REJECTED: "reject",
    }
    if to in review:
        return cohort_review(
            cohort=cohort,
            reviewer=staff,
            decision=review[to],
            message="Thank you for the proposal.",
            judgements=judgements(),
        )
    if to == S.SUBMITTED:
        return cohort_submit(cohort=cohort, by=facilitator)
    if to == S.ACTIVE:
        return cohort_activate(cohort=cohort, by=facilitator)
    if to == S.CONCLUDED:
        return cohort_conclude(cohort=cohort, by=facilitator)
    if to == S.ARCHIVED:
        return cohort_archive(cohort=cohort, by=staff)
    return _transition(cohort, to, by=staff)


@pytest.mark.parametrize(
    ("from_state", "to_state"), ALL_PAIRS, ids=[f"{a}->{b}" for a, b in ALL_PAIRS]
)
def test_every_state_pair_is_allowed_only_when_the_lifecycle_says_so(
    from_state: str,
    to_state: str,
    propose: Callable[..., Cohort],
    bring_to: Callable[[Cohort, str], Cohort],
    facilitator: User,
    staff: User,
) -> None:
    cohort = bring_to(propose(), from_state)
    transitions_before = list(cohort.transitions.values_list("pk", flat=True))
    reviews_before = cohort.reviews.count()
    staff_moves = (S.APPROVED, S.CHANGES_REQUESTED, S.REJECTED, S.ARCHIVED, S.DRAFT)
    who = staff if to_state in staff_moves else facilitator
    before = timezone.now()

    if (from_state, to_state) in LEGAL:
        move(cohort, to_state, facilitator=facilitator, staff=staff)
        cohort.refresh_from_db()
        assert cohort.state == to_state
        new = cohort.transitions.exclude(pk__in=transitions_before).get()
        assert (new.from_state, new.to_state, new.by) == (from_state, to_state, who)
        assert before - timedelta(seconds=1) <= new.at <= timezone.now()
    else:
        with pytest.raises(InvalidTransition) as refused:
            move(cohort, to_state, facilitator=facilitator, staff=staff)
        assert "cannot become" in refused.value.message
        cohort.refresh_from_db()
        assert cohort.state == from_state
        assert list(cohort.transitions.values_list("pk", flat=True)) == transitions_before
        assert cohort.reviews.count() == reviews_before


def test_the_table_covers_all_sixty_four_pairs() -> None:
    assert len(ALL_PAIRS) == len(S.values) ** 2 == 64


def test_proposer_becomes_the_first_facilitator_and_the_proposal_is_recorded(
    propose: Callable[..., Cohort], facilitator: User
) -> None:
    cohort = propose()
    assert cohort.state == S.DRAFT
    membership = Membership.objects.get(cohort=cohort, user=facilitator)
    assert (membership.role, membership.status) == ("facilitator", "active")
    first = cohort.transitions.get()
    assert (first.to_state, first.by, first.note) == (S.DRAFT, facilitator, "Proposed")


def test_proposing_with_co_facilitators_invites_them_by_email(
    propose: Callable[..., Cohort], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        cohort = propose(co_facilitator_emails=["Diego@Example.org", "facilitator@example.org"])
    invitation = cohort.invitations.get()
    assert (invitation.email, invitation.role) == ("diego@example.org", "facilitator")
    assert [m.to for m in mail.outbox] == [["diego@example.org"]]
    assert "co-facilitate" in mail.outbox[0].body


@pytest.mark.parametrize(
    ("blank", "words"),
    [
        ("description", "a description"),
        ("design_knowledge", "how everyone shares knowledge"),
        ("design_learning", "how everyone learns"),
        ("design_identities", "identities and ways of knowing"),
        ("design_democratic", "the democratic design"),
    ],
)
def test_submit_refuses_a_proposal_with_an_unanswered_design_question(
    propose: Callable[..., Cohort], facilitator: User, blank: str, words: str
) -> None:
    cohort = propose(**{blank: "  "})
    with pytest.raises(CohortError) as refused:
        cohort_submit(cohort=cohort, by=facilitator)
    assert refused.value.message == f"Before submitting, describe {words}."
    cohort.refresh_from_db()
    assert cohort.state == S.DRAFT
    assert cohort.transitions.count() == 1


def test_submit_names_every_missing_answer_at_once(
    propose: Callable[..., Cohort], facilitator: User
) -> None:
    cohort = propose(design_learning="", design_democratic="")
    with pytest.raises(CohortError, match="how everyone learns, the democratic design"):
        cohort_submit(cohort=cohort, by=facilitator)


def test_submit_refuses_a_proposal_without_a_focus_area(
    propose: Callable[..., Cohort], facilitator: User
) -> None:
    cohort = propose(areas=[])
    with pytest.raises(CohortError) as refused:
        cohort_submit(cohort=cohort, by=facilitator)
    assert refused.value.message == "Before submitting, choose at least one focus credential area."
    cohort.refresh_from_db()
    assert cohort.state == S.DRAFT


def test_submit_tells_program_staff_in_app(
    propose: Callable[..., Cohort], facilitator: User, staff: User, make_user: Any
) -> None:
    bystander = make_user()
    cohort = propose()
    cohort_submit(cohort=cohort, by=facilitator)
    note = Notification.objects.get(user=staff)
    assert note.kind == "cohort.submitted"
    assert cohort.title in note.title
    assert note.url == f"/cohorts/{cohort.slug}/review/"
    assert not Notification.objects.filter(user__in=[bystander, facilitator]).exists()


@pytest.mark.parametrize("principle", ["knowledge", "learning", "identities", "democratic"])
def test_review_refuses_to_approve_while_a_principle_does_not_hold(
    propose: Callable[..., Cohort],
    bring_to: Callable[[Cohort, str], Cohort],
    staff: User,
    principle: str,
) -> None:
    cohort = bring_to(propose(), S.SUBMITTED)
    with pytest.raises(CohortError) as refused:
        cohort_review(
            cohort=cohort,
            reviewer=staff,
            decision="approve",
            message="Looks good.",
            judgements=judgements(**{principle: "not_met"}),
        )
    assert "does not hold yet" in refused.value.message
    cohort.refresh_from_db()
    assert cohort.state == S.SUBMITTED
    assert not cohort.reviews.exists()


def test_review_may_approve_when_a_principle_only_partly_holds(
    propose: Callable[..., Cohort], bring_to: Callable[[Cohort, str], Cohort], staff: User
) -> None:
    cohort = bring_to(propose(), S.SUBMITTED)
    review = cohort_review(
        cohort=cohort,
        reviewer=staff,
        decision="approve",
        message="Approved; keep an eye on democratic design.",
        judgements=judgements(democratic="partly"),
    )
    assert (review.democratic, review.democratic_note) == ("partly", "Note on democratic.")
    cohort.refresh_from_db()
    assert cohort.state == S.APPROVED


def _without_identities(arguments: dict[str, Any]) -> None:
    del arguments["judgements"]["identities"]


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (_without_identities, "Every principle needs a judgement."),
        (lambda a: a.update(judgements=judgements(learning="excellent")), "Unknown judgement."),
        (lambda a: a.update(decision="maybe"), "Choose approve, request changes or reject."),
        (lambda a: a.update(message="   "), "Write a message to the facilitators."),
    ],
    ids=["missing-judgement", "unknown-judgement", "unknown-decision", "blank-message"],
)
def test_review_refuses_incomplete_input_and_changes_nothing(
    propose: Callable[..., Cohort],
    bring_to: Callable[[Cohort, str], Cohort],
    staff: User,
    spoil: Callable[[dict[str, Any]], None],
    message: str,
) -> None:
    cohort = bring_to(propose(), S.SUBMITTED)
    arguments: dict[str, Any] = {
        "decision": "request_changes",
        "message": "Please say more.",
        "judgements": judgements(),
    }
    spoil(arguments)
    with pytest.raises(CohortError) as refused:
        cohort_review(cohort=cohort, reviewer=staff, **arguments)
    assert refused.value.message == message
    cohort.refresh_from_db()
    assert cohort.state == S.SUBMITTED
    assert not cohort.reviews.exists()


def test_request_changes_then_edit_resubmit_and_approve_keeps_the_review_history(
    propose: Callable[..., Cohort],
    facilitator: User,
    staff: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    cohort = propose()
    cohort_submit(cohort=cohort, by=facilitator)
    first = cohort_review(
        cohort=cohort,
        reviewer=staff,
        decision="request_changes",
        message="How will members shape the agenda?",
        judgements=judgements(democratic="not_met"),
    )
    cohort.refresh_from_db()
    assert cohort.state == S.CHANGES_REQUESTED

    cohort_update(
        cohort=cohort,
        by=facilitator,
        design_democratic="Members take turns planning sessions and vote on goals.",
    )
    cohort_submit(cohort=cohort, by=facilitator)
    with django_capture_on_commit_callbacks(execute=True):
        second = cohort_review(
            cohort=cohort,
            reviewer=staff,
            decision="approve",
            message="Approved: thank you for the changes.",
            judgements=judgements(),
        )
    cohort.refresh_from_db()
    assert cohort.state == S.APPROVED
    assert cohort.design_democratic.startswith("Members take turns")
    assert list(cohort.reviews.all()) == [second, first]  # newest first, both kept
    assert list(cohort.transitions.values_list("from_state", "to_state")) == [
        (S.DRAFT, S.DRAFT),
        (S.DRAFT, S.SUBMITTED),
        (S.SUBMITTED, S.CHANGES_REQUESTED),
        (S.CHANGES_REQUESTED, S.SUBMITTED),
        (S.SUBMITTED, S.APPROVED),
    ]
    assert cohort.transitions.get(to_state=S.CHANGES_REQUESTED).note == first.message


def test_review_decision_reaches_every_facilitator_in_app_and_by_email(
    propose: Callable[..., Cohort],
    bring_to: Callable[[Cohort, str], Cohort],
    seat: Callable[..., Membership],
    facilitator: User,
    cofacilitator: User,
    staff: User,
    make_user: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from cohorts.services import invitation_accept, invitation_create

    cohort = propose()
    _, token = invitation_create(
        cohort=cohort, by=facilitator, email=cofacilitator.email, role="facilitator"
    )
    invitation_accept(token=token, user=cofacilitator)
    cohort = bring_to(cohort, S.SUBMITTED)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        cohort_review(
            cohort=cohort,
            reviewer=staff,
            decision="request_changes",
            message="Please describe how members shape goals.",
            judgements=judgements(democratic="partly"),
        )
    notes = Notification.objects.filter(kind="cohort.reviewed")
    assert {n.user for n in notes} == {facilitator, cofacilitator}
    assert all("request changes" in n.title and n.body.startswith("Please") for n in notes)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([facilitator.email, cofacilitator.email])
    assert all("Please describe how members shape goals." in m.body for m in mail.outbox)
    assert all(f"/cohorts/{cohort.slug}/" in m.body for m in mail.outbox)


def test_submitted_proposal_cannot_be_edited_and_approved_design_is_frozen(
    propose: Callable[..., Cohort], bring_to: Callable[[Cohort, str], Cohort], facilitator: User
) -> None:
    cohort = bring_to(propose(), S.SUBMITTED)
    with pytest.raises(CohortError, match="submitted for review cannot be edited"):
        cohort_update(cohort=cohort, by=facilitator, title="Sneaky edit")
    cohort = bring_to(propose(title="Second"), S.APPROVED)
    with pytest.raises(CohortError, match="approved design can only change"):
        cohort_update(cohort=cohort, by=facilitator, design_knowledge="Different")
    updated = cohort_update(cohort=cohort, by=facilitator, cadence="Every Thursday")
    assert updated.cadence == "Every Thursday"


def test_concluding_makes_members_alumni_who_keep_read_access_and_closes_the_waitlist(
    cohort_in_state: Callable[..., Cohort],
    seat: Callable[..., Membership],
    people: Callable[[int], list[User]],
    facilitator: User,
) -> None:
    from cohorts.permissions import can_view_content
    from cohorts.services import membership_join

    cohort = cohort_in_state(state=S.ACTIVE, join_policy="open", capacity=2)
    seated = people(3)
    for person in seated:
        membership_join(cohort=cohort, user=person)
    cohort_conclude(cohort=cohort, by=facilitator)
    statuses = dict(Membership.objects.filter(cohort=cohort).values_list("user", "status"))
    assert statuses == {
        facilitator.pk: "active",
        seated[0].pk: "alumni",
        seated[1].pk: "alumni",
        seated[2].pk: "declined",
    }
    for alum in seated[:2]:
        assert can_view_content(User.objects.get(pk=alum.pk), cohort)
    assert not can_view_content(User.objects.get(pk=seated[2].pk), cohort)
    assert CohortTransition.objects.filter(cohort=cohort, to_state=S.CONCLUDED).exists()


def test_reviews_record_each_judgement_and_note(
    propose: Callable[..., Cohort], bring_to: Callable[[Cohort, str], Cohort], staff: User
) -> None:
    cohort = bring_to(propose(), S.SUBMITTED)
    review = cohort_review(
        cohort=cohort,
        reviewer=staff,
        decision="reject",
        message="This is a lecture series, not a community of practice.",
        judgements=judgements("not_met"),
    )
    stored = CohortReview.objects.get(pk=review.pk)
    for name, _ in CohortReview.CRITERIA:
        assert getattr(stored, name) == "not_met"
        assert getattr(stored, f"{name}_note") == f"Note on {name}."
    assert (stored.reviewer, stored.decision) == (staff, "reject")


@pytest.mark.parametrize("closing", ["conclude", "archive"])
def test_closed_cohorts_take_no_new_sessions_or_invitations(
    approved_cohort: Cohort, facilitator: User, closing: str
) -> None:
    import datetime as dt

    from django.utils import timezone

    services.cohort_activate(cohort=approved_cohort, by=facilitator)
    services.cohort_conclude(cohort=approved_cohort, by=facilitator)
    if closing == "archive":
        services.cohort_archive(cohort=approved_cohort, by=facilitator)
    approved_cohort.refresh_from_db()
    start = timezone.now() + dt.timedelta(days=3)
    with pytest.raises(CohortError, match="takes no new sessions"):
        services.session_create(
            cohort=approved_cohort,
            by=facilitator,
            title="One more",
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=90),
        )
    with pytest.raises(CohortError, match="takes no new people"):
        services.invitation_create(cohort=approved_cohort, by=facilitator, email="late@example.org")
