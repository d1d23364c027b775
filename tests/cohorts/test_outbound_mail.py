"""Invitations and messages cannot turn the platform into a mail relay."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import User
from cohorts.models import Cohort, Invitation, Membership
from cohorts.services import (
    CohortError,
    invitation_create,
    invitations_create,
    membership_decline,
    membership_join,
)
from cohorts.services.membership import PROPOSAL_INVITATIONS_MAX

pytestmark = pytest.mark.django_db


def test_a_draft_cannot_invite_members(propose: Callable[..., Cohort], facilitator: User) -> None:
    draft = propose()
    with pytest.raises(CohortError, match="approved"):
        invitation_create(cohort=draft, by=facilitator, email="stranger@example.net")
    assert not Invitation.objects.filter(email="stranger@example.net").exists()


def test_a_proposal_invites_at_most_a_few_co_facilitators(
    propose: Callable[..., Cohort], facilitator: User, django_capture_on_commit_callbacks: Any
) -> None:
    draft = propose()
    emails = [f"co{i}@example.net" for i in range(PROPOSAL_INVITATIONS_MAX + 1)]
    with pytest.raises(CohortError, match=f"at most {PROPOSAL_INVITATIONS_MAX}"):
        invitations_create(
            cohort=draft, by=facilitator, emails=emails, role=Membership.Role.FACILITATOR
        )
    with django_capture_on_commit_callbacks(execute=True):
        invitations_create(
            cohort=draft,
            by=facilitator,
            emails=emails[:PROPOSAL_INVITATIONS_MAX],
            role=Membership.Role.FACILITATOR,
        )
    assert len(mail.outbox) == PROPOSAL_INVITATIONS_MAX
    with pytest.raises(CohortError):
        invitation_create(
            cohort=draft, by=facilitator, email=emails[-1], role=Membership.Role.FACILITATOR
        )


def test_the_fifty_first_invitation_of_a_day_is_refused(
    cohort_in_state: Callable[..., Cohort],
    facilitator: User,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.OUTBOUND_MAIL_PER_DAY = 50
    cohort = cohort_in_state()
    with django_capture_on_commit_callbacks(execute=True):
        invitations_create(
            cohort=cohort, by=facilitator, emails=[f"p{i}@example.net" for i in range(50)]
        )
    assert len(mail.outbox) == 50
    with pytest.raises(CohortError) as refused:
        invitation_create(cohort=cohort, by=facilitator, email="p50@example.net")
    assert refused.value.code == "rate_limited"
    assert "50" in refused.value.message
    assert not Invitation.objects.filter(email="p50@example.net").exists()
    assert len(mail.outbox) == 50


def test_a_batch_over_the_allowance_sends_nothing_and_costs_nothing(
    cohort_in_state: Callable[..., Cohort],
    facilitator: User,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.OUTBOUND_MAIL_PER_DAY = 5
    cohort = cohort_in_state()
    with pytest.raises(CohortError):
        invitations_create(
            cohort=cohort, by=facilitator, emails=[f"p{i}@example.net" for i in range(6)]
        )
    assert not Invitation.objects.filter(cohort=cohort).exists()
    with django_capture_on_commit_callbacks(execute=True):
        invitations_create(
            cohort=cohort, by=facilitator, emails=[f"p{i}@example.net" for i in range(5)]
        )
    assert len(mail.outbox) == 5


def test_decision_messages_count_against_the_same_allowance(
    cohort_in_state: Callable[..., Cohort],
    facilitator: User,
    people: Callable[[int], list[User]],
    settings: Any,
) -> None:
    settings.OUTBOUND_MAIL_PER_DAY = 1
    cohort = cohort_in_state()
    first, second = people(2)
    membership_decline(
        membership=membership_join(cohort=cohort, user=first), by=facilitator, message="Sorry."
    )
    with pytest.raises(CohortError, match="a day"):
        membership_decline(
            membership=membership_join(cohort=cohort, user=second),
            by=facilitator,
            message="Sorry too.",
        )
    # Without words of the facilitator's own, the standard notice still goes.
    membership_decline(
        membership=Membership.objects.get(cohort=cohort, user=second), by=facilitator
    )


def test_invitation_note_is_framed_as_the_senders_and_its_links_are_not_clickable(
    cohort_in_state: Callable[..., Cohort],
    facilitator: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    cohort = cohort_in_state()
    note = "Your account is locked! Verify at https://evil.example.com/login now.\nThanks"
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(cohort=cohort, by=facilitator, email="a@example.net", message=note)
    (sent,) = mail.outbox
    assert "https://evil.example.com" not in sent.body
    assert "evil.example.com" not in sent.body
    assert "hxxps[:]//evil[.]example[.]com/login" in sent.body
    assert f"{facilitator.display_name} wrote (their own words" in sent.body
    assert "> Your account is locked!" in sent.body
    assert "> Thanks" in sent.body
    # The invitation's own link stays a working link.
    assert "/cohorts/invitations/" in sent.body


def test_console_reports_the_allowance_and_keeps_what_was_typed(
    cohort_in_state: Callable[..., Cohort],
    facilitator: User,
    signed_in: Callable[[User], Client],
    settings: Any,
) -> None:
    settings.OUTBOUND_MAIL_PER_DAY = 2
    cohort = cohort_in_state()
    response = signed_in(facilitator).post(
        reverse("cohorts:invite", args=[cohort.slug]),
        {"emails": "a@example.net, b@example.net, c@example.net", "role": "member",
         "message": "Come along"},
    )  # fmt: skip
    assert response.status_code == 400
    page = response.content.decode()
    assert "at most 2 invitations" in page
    assert "c@example.net" in page and "Come along" in page
    assert not Invitation.objects.filter(cohort=cohort).exists()


def test_a_failing_mail_server_does_not_undo_an_invitation(
    cohort_in_state: Callable[..., Cohort],
    facilitator: User,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
    caplog: Any,
) -> None:
    cohort = cohort_in_state()
    settings.EMAIL_BACKEND = "tests.helpers.BrokenBackend"
    with django_capture_on_commit_callbacks(execute=True):
        invitation, _ = invitation_create(cohort=cohort, by=facilitator, email="x@example.net")
    assert Invitation.objects.filter(pk=invitation.pk, revoked_at__isnull=True).exists()
    assert "invitation mail to x@example.net failed" in caplog.text
