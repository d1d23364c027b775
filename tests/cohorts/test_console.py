"""The facilitator console: requests, waitlist, invitations, members, sessions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from cohorts.models import Cohort, Invitation, Membership, Session
from cohorts.services import membership_join

M = Membership


def console_url(active_cohort: Cohort) -> str:
    return reverse("cohorts:console", args=[active_cohort.slug])


def test_console_shows_requests_waitlist_invitations_members_and_sessions(
    active_cohort: Cohort,
    active_cohort_member: User,
    fac_client: Client,
    make_user: Callable[..., User],
    make_active_cohort: Callable[..., Cohort],
    add_session: Callable[..., Session],
) -> None:
    asker = make_user(name="Asha Asker")
    membership_join(cohort=active_cohort, user=asker, message="I run a service-learning office.")
    fac_client.post(
        reverse("cohorts:invite", args=[active_cohort.slug]),
        {"emails": "guest@example.org", "role": "member"},
    )
    add_session(active_cohort, days=3, title="Story sharing")
    add_session(active_cohort, days=-3, title="Opening circle")
    page = fac_client.get(console_url(active_cohort)).content.decode()
    for text in (
        "Asha Asker",
        "I run a service-learning office.",
        "guest@example.org",
        "Mei Member",
        "Story sharing",
        "Opening circle",
        reverse("participation:cohort", args=[active_cohort.slug]),
        reverse(
            "cohorts:request_decide",
            args=[active_cohort.slug, asker.memberships.get().pk, "accept"],
        ),
    ):
        assert text in page, text
    # The outline is offered even once sessions exist, numbering after them.
    assert "The new sessions are numbered after the ones already scheduled." in page


def test_accept_with_message_seats_and_tells_them(
    active_cohort: Cohort,
    fac_client: Client,
    make_user: Callable[..., User],
    django_capture_on_commit_callbacks: Any,
) -> None:
    asker = make_user(name="Asha Asker")
    request = membership_join(cohort=active_cohort, user=asker)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = fac_client.post(
            reverse("cohorts:request_decide", args=[active_cohort.slug, request.pk, "accept"]),
            {"message": "Glad you are here!"},
            follow=True,
        )
    assert "Asha Asker is now a member." in response.content.decode()
    request.refresh_from_db()
    assert request.status == M.Status.ACTIVE
    assert [m.to for m in mail.outbox] == [[asker.email]]
    assert "Glad you are here!" in mail.outbox[0].body


def test_decline_with_message(
    active_cohort: Cohort, fac_client: Client, make_user: Callable[..., User]
) -> None:
    request = membership_join(cohort=active_cohort, user=make_user())
    fac_client.post(
        reverse("cohorts:request_decide", args=[active_cohort.slug, request.pk, "decline"]),
        {"message": "We are full this term; try the autumn cohort."},
    )
    request.refresh_from_db()
    assert request.status == M.Status.DECLINED
    assert request.decision_message == "We are full this term; try the autumn cohort."


def test_accepting_when_full_goes_to_waitlist_shown_in_order(
    make_active_cohort: Callable[..., Cohort],
    fac_client: Client,
    make_user: Callable[..., User],
) -> None:
    cohort = make_active_cohort(capacity=2)
    people = [make_user(name=f"Waiting {i}") for i in range(4)]
    for person in people:
        request = membership_join(cohort=cohort, user=person)
        fac_client.post(reverse("cohorts:request_decide", args=[cohort.slug, request.pk, "accept"]))
    statuses = [M.objects.get(cohort=cohort, user=p).status for p in people]
    assert statuses == [M.Status.ACTIVE, M.Status.ACTIVE, M.Status.WAITLISTED, M.Status.WAITLISTED]
    page = fac_client.get(console_url(cohort)).content.decode()
    waitlist = page[page.index('id="waitlist-h"') : page.index('id="invitations-h"')]
    assert waitlist.index("Waiting 2") < waitlist.index("Waiting 3")


def test_a_decided_request_cannot_be_decided_again(
    active_cohort: Cohort, active_cohort_member: User, fac_client: Client
) -> None:
    seated = M.objects.get(cohort=active_cohort, user=active_cohort_member)
    url = reverse("cohorts:request_decide", args=[active_cohort.slug, seated.pk, "decline"])
    assert fac_client.post(url).status_code == 404
    seated.refresh_from_db()
    assert seated.status == M.Status.ACTIVE


def test_invite_several_people_by_email(
    active_cohort: Cohort, fac_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = fac_client.post(
            reverse("cohorts:invite", args=[active_cohort.slug]),
            {
                "emails": "Ana@Example.org, ben@example.org\ncarla@example.org",
                "role": "facilitator",
                "message": "Join us!",
            },
        )
    assert response.status_code == 302
    invitations = Invitation.objects.filter(cohort=active_cohort).order_by("email")
    assert [(i.email, i.role) for i in invitations] == [
        ("ana@example.org", "facilitator"),
        ("ben@example.org", "facilitator"),
        ("carla@example.org", "facilitator"),
    ]
    assert sorted(m.to[0] for m in mail.outbox) == [
        "ana@example.org",
        "ben@example.org",
        "carla@example.org",
    ]
    assert all("Join us!" in m.body for m in mail.outbox)


@pytest.mark.parametrize(
    ("emails", "error"),
    [
        ("ana@example.org, not-an-address", "Not an e-mail address: not-an-address."),
        ("", "This field is required."),
        ("ana@example.org, member@example.org", "member@example.org is already in this cohort."),
    ],
)
def test_invite_errors_rerender_with_input_and_send_nothing(
    active_cohort: Cohort,
    active_cohort_member: User,
    fac_client: Client,
    emails: str,
    error: str,
    django_capture_on_commit_callbacks: Any,
) -> None:
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = fac_client.post(
            reverse("cohorts:invite", args=[active_cohort.slug]),
            {"emails": emails, "role": "member", "message": "A warm personal note"},
        )
    assert response.status_code == 400
    page = response.content.decode()
    assert error in page
    assert "A warm personal note" in page
    if emails:
        assert emails.split(",")[0] in page
    assert not Invitation.objects.filter(cohort=active_cohort).exists()
    assert mail.outbox == []


def test_revoke_invitation(active_cohort: Cohort, fac_client: Client) -> None:
    fac_client.post(
        reverse("cohorts:invite", args=[active_cohort.slug]),
        {"emails": "x@example.org", "role": "member"},
    )
    invitation = Invitation.objects.get(cohort=active_cohort)
    fac_client.post(reverse("cohorts:invitation_revoke", args=[active_cohort.slug, invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    page = fac_client.get(console_url(active_cohort)).content.decode()
    assert "No open invitations." in page


def test_remove_member_asks_first_then_cuts_access(
    active_cohort: Cohort,
    active_cohort_member: User,
    fac_client: Client,
    signed_in: Callable[[User], Client],
) -> None:
    membership = M.objects.get(cohort=active_cohort, user=active_cohort_member)
    url = reverse("cohorts:member_remove", args=[active_cohort.slug, membership.pk])
    confirm = fac_client.get(url)
    assert "Remove Mei Member?" in confirm.content.decode()
    membership.refresh_from_db()
    assert membership.status == M.Status.ACTIVE  # GET changes nothing
    response = fac_client.post(url, {"message": "Thank you for your time."})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.status == M.Status.REMOVED
    assert membership.decision_message == "Thank you for your time."
    sessions = reverse("cohorts:sessions", args=[active_cohort.slug])
    assert signed_in(active_cohort_member).get(sessions).status_code == 404


def test_the_only_facilitator_cannot_remove_themselves(
    active_cohort: Cohort, facilitator: User, fac_client: Client
) -> None:
    own = M.objects.get(cohort=active_cohort, user=facilitator)
    response = fac_client.post(reverse("cohorts:member_remove", args=[active_cohort.slug, own.pk]))
    assert response.status_code == 400
    assert "use “Leave”" in response.content.decode()
    own.refresh_from_db()
    assert own.status == M.Status.ACTIVE


def test_six_session_template_from_the_console(active_cohort: Cohort, fac_client: Client) -> None:
    page = fac_client.get(console_url(active_cohort)).content.decode()
    assert "Six-session outline" in page
    data = {
        "first_day": "2027-02-02",
        "start_time": "10:00",
        "cadence": "fortnightly",
        "minutes": "90",
        "video_url": "https://meet.example.org/cop",
    }
    url = reverse("cohorts:session_template", args=[active_cohort.slug])
    preview = fac_client.post(url, data)
    assert preview.status_code == 200
    assert "Schedule these six sessions?" in preview.content.decode()
    assert not Session.objects.exists()
    response = fac_client.post(url, {**data, "confirm": "1"})
    assert response.status_code == 302
    sessions = list(Session.objects.filter(cohort=active_cohort))
    assert len(sessions) == 6
    # 10:00 in Chicago (the cohort's zone) is 16:00 UTC in February.
    assert sessions[0].starts_at.hour == 16
    assert all(s.video_url == "https://meet.example.org/cop" for s in sessions)


def test_template_errors_keep_input(active_cohort: Cohort, fac_client: Client) -> None:
    response = fac_client.post(
        reverse("cohorts:session_template", args=[active_cohort.slug]),
        {"first_day": "2027-02-02", "start_time": "10:00", "cadence": "daily", "minutes": "5"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Select a valid choice" in page
    assert "greater than or equal to 15" in page
    assert 'value="2027-02-02"' in page
    assert 'value="5"' in page
    assert not Session.objects.exists()


def _count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_console_query_count_does_not_grow(
    make_active_cohort: Callable[..., Cohort],
    add_members: Callable[[Cohort, int], list[User]],
    add_session: Callable[..., Session],
    make_user: Callable[..., User],
    facilitator: User,
    signed_in: Callable[[User], Client],
) -> None:
    def build(title: str, members: int, sessions: int, extra: int) -> Cohort:
        cohort = make_active_cohort(title=title, capacity=members)
        add_members(cohort, members)
        for i in range(sessions):
            add_session(cohort, days=i - sessions // 2)
        for _ in range(extra):  # pending requests and (cohort full) a waitlist
            membership_join(cohort=cohort, user=make_user())
        return cohort

    small = build("Small", members=3, sessions=2, extra=1)
    large = build("Large", members=12, sessions=8, extra=6)
    client = signed_in(facilitator)
    client.get(console_url(small))  # warm caches (content types, session)
    assert _count_queries(client, console_url(small)) == _count_queries(client, console_url(large))


def test_console_uses_no_inline_style_or_script(active_cohort: Cohort, fac_client: Client) -> Any:
    page = fac_client.get(console_url(active_cohort)).content.decode()
    assert "style=" not in page
    assert "<script>" not in page
    assert "cohorts-console.css" in page


def test_taking_someone_off_the_waitlist_declines_without_banning(
    make_active_cohort: Callable[..., Cohort],
    fac_client: Client,
    add_members: Callable[[Cohort, int], list[User]],
    make_user: Callable[..., User],
    facilitator: User,
) -> None:
    from cohorts.services import membership_accept

    cohort = make_active_cohort(capacity=2)
    add_members(cohort, 2)
    waiting = make_user(name="Wren Waiting")
    waitlisted = membership_accept(
        membership=membership_join(cohort=cohort, user=waiting), by=facilitator
    )
    assert waitlisted.status == M.Status.WAITLISTED
    page = fac_client.get(console_url(cohort)).content.decode()
    decline = reverse("cohorts:request_decide", args=[cohort.slug, waitlisted.pk, "decline"])
    assert decline in page
    fac_client.post(decline, {"message": "Next term, we hope!"})
    waitlisted.refresh_from_db()
    assert waitlisted.status == M.Status.DECLINED
    # Declined, not removed: they may ask again later.
    assert membership_join(cohort=cohort, user=waiting).status == M.Status.REQUESTED
