"""Defects found in review, each pinned by a test that failed before its fix."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from cohorts import permissions, services
from cohorts.models import Cohort, Invitation, Membership
from cohorts.services import CohortError

pytestmark = pytest.mark.django_db


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


def test_member_invitation_page_to_a_draft_is_refused(
    draft_cohort: Cohort, facilitator: User, outsider: User, signed_in: Callable[[User], Client]
) -> None:
    # A member invitation to a draft can no longer be made; one made before that rule
    # (written here straight to the table) is still refused when used.
    token = "an-old-member-invitation-to-a-draft"
    Invitation.objects.create(
        cohort=draft_cohort,
        email=outsider.email,
        role=Membership.Role.MEMBER,
        token_hash=hashlib.sha256(token.encode()).hexdigest(),
        invited_by=facilitator,
        expires_at=timezone.now() + timedelta(days=14),
    )
    client = signed_in(outsider)
    url = reverse("cohorts:invitation", args=[token])
    assert client.get(url).status_code == 410
    assert client.post(url).status_code == 410
    assert not Membership.objects.filter(cohort=draft_cohort, user=outsider).exists()


def test_leaving_an_unlisted_cohort_does_not_redirect_to_a_404(
    make_cohort: Callable[..., Cohort],
    facilitator: User,
    cohort_member: User,
    seat: Callable[..., Membership],
    signed_in: Callable[[User], Client],
) -> None:
    cohort = make_cohort(by=facilitator, title="Members only", listed=False)
    seat(cohort, cohort_member)
    client = signed_in(cohort_member)
    response = client.post(reverse("cohorts:leave", args=[cohort.slug]))
    assert response.status_code == 302
    assert response["Location"] == reverse("cohorts:directory")
    assert client.get(response["Location"]).status_code == 200


def test_admin_cannot_delete_a_membership_row_behind_the_services(
    approved_cohort: Cohort, cohort_member: User
) -> None:
    """Deleting the row would leave the person in the cohort's permission group: access
    with no membership anyone can see or remove."""
    admin = User.objects.create_superuser(email="root@example.org", password="x-long-password")
    client = Client()
    client.force_login(admin)
    membership = Membership.objects.get(cohort=approved_cohort, user=cohort_member)
    url = reverse("admin:cohorts_membership_delete", args=[membership.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_removal_message_reaches_the_removed_person(
    approved_cohort: Cohort,
    facilitator: User,
    cohort_member: User,
    mailoutbox: list,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """The console asks for a "message to them"; it must not be stored and never sent."""
    membership = Membership.objects.get(cohort=approved_cohort, user=cohort_member)
    with_message = "We need the place for someone who can attend; you are welcome next term."
    with django_capture_on_commit_callbacks(execute=True):
        services.membership_remove(membership=membership, by=facilitator, message=with_message)
    note = cohort_member.notifications.get(kind="membership.removed")
    assert with_message in note.body
    assert approved_cohort.title in note.title
    assert [m.to for m in mailoutbox if with_message in m.body] == [[cohort_member.email]]


def test_a_refused_goal_comes_back_with_what_was_typed(
    approved_cohort: Cohort, cohort_member: User, signed_in: Callable[[User], Client]
) -> None:
    client = signed_in(cohort_member)
    long_title = "Map every partner " * 20  # over 200 characters
    client.post(
        reverse("cohorts:goal_propose", args=[approved_cohort.slug]),
        {"title": long_title, "description": "Why it matters to us"},
    )
    page = client.get(reverse("cohorts:detail", args=[approved_cohort.slug])).content.decode()
    assert "Why it matters to us" in page
    assert "Map every partner" in page
    # Shown once: a fresh visit starts with an empty form again.
    again = client.get(reverse("cohorts:detail", args=[approved_cohort.slug])).content.decode()
    assert "Why it matters to us" not in again


def test_an_over_long_join_message_is_refused_not_silently_dropped(
    approved_cohort: Cohort, outsider: User, signed_in: Callable[[User], Client]
) -> None:
    client = signed_in(outsider)
    client.post(reverse("cohorts:join", args=[approved_cohort.slug]), {"message": "x" * 5000})
    assert not Membership.objects.filter(cohort=approved_cohort, user=outsider).exists()


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
