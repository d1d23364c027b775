"""Invitations: hashed single-use links by e-mail, with a clear refusal for each bad link."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from accounts.models import User
from cohorts import permissions, services
from cohorts.models import Cohort, Invitation, Membership
from cohorts.permissions import can_facilitate, can_view_content
from cohorts.services import (
    CohortError,
    invitation_accept,
    invitation_create,
    invitation_for_token,
    invitation_revoke,
    membership_join,
)

pytestmark = pytest.mark.django_db

USED = "This invitation has already been used."
WITHDRAWN = "This invitation was withdrawn. Ask the facilitators for a new one."
EXPIRED = "This invitation has expired. Ask the facilitators for a new one."
FORGED = "This invitation link is not valid."


def refusal(token: str, user: User) -> CohortError:
    with pytest.raises(CohortError) as refused:
        invitation_accept(token=token, user=user)
    assert refused.value.code in {"invalid_invitation", "unknown_invitation"}
    return refused.value


def test_invitation_stores_only_a_hash_of_the_token_and_emails_the_link(
    cohort_in_state: Callable[..., Cohort],
    facilitator: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    cohort = cohort_in_state(join_policy="invitation")
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = invitation_create(
            cohort=cohort, by=facilitator, email=" Guest@Example.org ", message="Join us!"
        )
    stored = Invitation.objects.filter(pk=invitation.pk).values().get()
    assert token not in {str(value) for value in stored.values()}
    assert stored["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert stored["email"] == "guest@example.org"
    assert stored["expires_at"] - timezone.now() > timedelta(days=13, hours=23)

    (message,) = mail.outbox
    assert message.to == ["guest@example.org"]
    assert cohort.title in message.subject
    assert f"{settings.SITE_URL}/cohorts/invitations/{token}/" in message.body
    assert "Join us!" in message.body
    assert "No account yet?" in message.body


def test_no_email_is_sent_when_the_invitation_is_rolled_back(
    cohort_in_state: Callable[..., Cohort],
    facilitator: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from django.db import transaction

    cohort = cohort_in_state()
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        invitation_create(cohort=cohort, by=facilitator, email="guest@example.org")
        raise RuntimeError("the view failed after the service")
    assert mail.outbox == []
    assert not Invitation.objects.exists()


def test_accepting_an_invitation_seats_a_member_and_the_link_stops_working(
    cohort_in_state: Callable[..., Cohort], facilitator: User, make_user: Any
) -> None:
    cohort = cohort_in_state(join_policy="invitation")
    invitation, token = invitation_create(cohort=cohort, by=facilitator, email="new@example.org")
    # The invitee had no account when invited; they sign up, then use the link.
    newcomer = make_user("new@example.org")
    membership = invitation_accept(token=token, user=newcomer)
    assert (membership.role, membership.status, membership.decided_by) == (
        "member",
        "active",
        facilitator,
    )
    assert can_view_content(User.objects.get(pk=newcomer.pk), cohort)
    invitation.refresh_from_db()
    assert invitation.accepted_by == newcomer and invitation.accepted_at is not None
    assert refusal(token, newcomer).message == USED
    assert refusal(token, make_user()).message == USED


def test_facilitator_invitation_seats_a_facilitator_even_when_the_cohort_is_full(
    cohort_in_state: Callable[..., Cohort],
    people: Callable[[int], list[User]],
    facilitator: User,
    cofacilitator: User,
) -> None:
    cohort = cohort_in_state(join_policy="open", capacity=2)
    for person in people(2):
        membership_join(cohort=cohort, user=person)
    _, token = invitation_create(
        cohort=cohort, by=facilitator, email=cofacilitator.email, role="facilitator"
    )
    membership = invitation_accept(token=token, user=cofacilitator)
    assert (membership.role, membership.status) == ("facilitator", "active")
    assert can_facilitate(User.objects.get(pk=cofacilitator.pk), cohort)


def test_member_invitation_to_a_full_cohort_waits_on_the_waitlist(
    cohort_in_state: Callable[..., Cohort],
    people: Callable[[int], list[User]],
    facilitator: User,
    member: User,
) -> None:
    cohort = cohort_in_state(join_policy="open", capacity=2)
    for person in people(2):
        membership_join(cohort=cohort, user=person)
    _, token = invitation_create(cohort=cohort, by=facilitator, email=member.email)
    membership = invitation_accept(token=token, user=member)
    assert (membership.role, membership.status) == ("member", "waitlisted")
    assert membership.waitlisted_at is not None
    assert not can_view_content(User.objects.get(pk=member.pk), cohort)


def test_revoked_invitation_is_refused(
    cohort_in_state: Callable[..., Cohort], facilitator: User, member: User
) -> None:
    cohort = cohort_in_state()
    invitation, token = invitation_create(cohort=cohort, by=facilitator, email=member.email)
    invitation_revoke(invitation=invitation, by=facilitator)
    assert refusal(token, member).message == WITHDRAWN
    assert not Membership.objects.filter(cohort=cohort, user=member).exists()


def test_expired_invitation_is_refused(
    cohort_in_state: Callable[..., Cohort], facilitator: User, member: User
) -> None:
    cohort = cohort_in_state()
    invitation, token = invitation_create(cohort=cohort, by=facilitator, email=member.email)
    # Move the clock past the link's life by moving its expiry into the past.
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert refusal(token, member).message == EXPIRED
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() + timedelta(minutes=1)
    )
    assert invitation_accept(token=token, user=member).status == "active"


@pytest.mark.parametrize("token", ["", "not-a-token", "x" * 43])
def test_forged_token_is_refused(
    cohort_in_state: Callable[..., Cohort], facilitator: User, member: User, token: str
) -> None:
    cohort = cohort_in_state()
    invitation_create(cohort=cohort, by=facilitator, email=member.email)
    refused = refusal(token, member)
    assert refused.message == FORGED
    assert refused.code == "unknown_invitation"
    with pytest.raises(CohortError, match="not valid"):
        invitation_for_token(token)


def test_a_new_invitation_to_the_same_address_revokes_the_pending_one(
    cohort_in_state: Callable[..., Cohort], facilitator: User, member: User
) -> None:
    cohort = cohort_in_state()
    first, old_token = invitation_create(cohort=cohort, by=facilitator, email=member.email)
    second, new_token = invitation_create(cohort=cohort, by=facilitator, email=member.email.upper())
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert second.revoked_at is None
    assert refusal(old_token, member).message == WITHDRAWN
    assert invitation_accept(token=new_token, user=member).status == "active"


def test_invitation_to_a_concluded_cohort_is_refused(
    cohort_in_state: Callable[..., Cohort],
    bring_to: Callable[[Cohort, str], Cohort],
    facilitator: User,
    member: User,
) -> None:
    cohort = cohort_in_state(state=Cohort.State.ACTIVE)
    _, token = invitation_create(cohort=cohort, by=facilitator, email=member.email)
    from cohorts.services import cohort_conclude

    cohort_conclude(cohort=cohort, by=facilitator)
    assert refusal(token, member).message == "This cohort is no longer taking members."


def test_an_accepted_invitation_cannot_be_revoked(
    cohort_in_state: Callable[..., Cohort], facilitator: User, member: User
) -> None:
    cohort = cohort_in_state()
    invitation, token = invitation_create(cohort=cohort, by=facilitator, email=member.email)
    invitation_accept(token=token, user=member)
    invitation.refresh_from_db()
    with pytest.raises(CohortError, match="already accepted"):
        invitation_revoke(invitation=invitation, by=facilitator)


@pytest.mark.parametrize(
    ("email", "role", "message"),
    [
        ("", "member", "Enter a valid e-mail address."),
        ("not-an-address", "member", "Enter a valid e-mail address."),
        ("someone@example.org", "owner", "Unknown role."),
    ],
)
def test_invitation_refuses_bad_input(
    cohort_in_state: Callable[..., Cohort],
    facilitator: User,
    email: str,
    role: str,
    message: str,
) -> None:
    cohort = cohort_in_state()
    with pytest.raises(CohortError) as refused:
        invitation_create(cohort=cohort, by=facilitator, email=email, role=role)
    assert refused.value.message == message
    assert not Invitation.objects.exists()


def test_inviting_someone_already_seated_is_refused(
    cohort_in_state: Callable[..., Cohort],
    seat: Callable[..., Membership],
    facilitator: User,
    member: User,
) -> None:
    cohort = cohort_in_state()
    seat(cohort, member)
    with pytest.raises(CohortError, match="already in this cohort") as refused:
        invitation_create(cohort=cohort, by=facilitator, email=member.email)
    assert refused.value.code == "conflict"
    with pytest.raises(CohortError, match="already in this cohort"):
        invitation_create(
            cohort=cohort, by=facilitator, email=facilitator.email, role="facilitator"
        )


def test_member_invitation_to_an_unapproved_cohort_grants_no_access(
    draft_cohort: Cohort, facilitator: User, outsider: User
) -> None:
    """Staff approval cannot be bypassed: a draft is seen only by its facilitators, and it
    cannot invite members at all before approval."""
    with pytest.raises(CohortError):
        services.invitation_create(cohort=draft_cohort, by=facilitator, email=outsider.email)
    assert not Membership.objects.filter(cohort=draft_cohort, user=outsider).exists()
    assert not permissions.can_view_content(User.objects.get(pk=outsider.pk), draft_cohort)


def test_co_facilitator_invitation_still_works_on_a_draft(
    draft_cohort: Cohort, facilitator: User, outsider: User
) -> None:
    _, token = services.invitation_create(
        cohort=draft_cohort, by=facilitator, email=outsider.email, role=Membership.Role.FACILITATOR
    )
    membership = services.invitation_accept(token=token, user=outsider)
    assert membership.role == Membership.Role.FACILITATOR
    assert membership.status == Membership.Status.ACTIVE
