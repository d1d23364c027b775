"""The dashboard shows my requests still waiting and the invitations I have not used."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from cohorts.models import Cohort
from cohorts.services import invitation_create, membership_join


def _dashboard(client: Client) -> str:
    return client.get(reverse("dashboard:home")).content.decode()


def test_the_dashboard_lists_my_pending_requests_and_invitations(
    make_cohort: Callable[..., Cohort],
    facilitator: User,
    make_user: Callable[..., User],
    signed_in: Callable[[User], Client],
) -> None:
    me = make_user("newcomer@example.org", name="Nia Newcomer")
    asked = make_cohort(by=facilitator, title="Asked to join here")
    full = make_cohort(
        by=facilitator, title="Full up", capacity=2, join_policy=Cohort.JoinPolicy.OPEN
    )
    for name in ("First In", "Second In"):
        membership_join(cohort=full, user=make_user(name=name))
    invited = make_cohort(by=facilitator, title="Invited over there")
    make_cohort(by=facilitator, title="Somebody else's invitation")
    membership_join(cohort=asked, user=me, message="May I join?")
    waiting = membership_join(cohort=full, user=me)
    assert waiting.status == "waitlisted"
    invitation_create(cohort=invited, by=facilitator, email="NEWCOMER@example.org")

    client = signed_in(me)
    page = _dashboard(client)
    assert "Invitations to you" in page
    assert "Invited over there" in page
    assert f"{facilitator.display_name} invites you to join" in page
    assert "Waiting for an answer" in page
    assert "Asked to join here" in page and "the facilitators have not answered yet" in page
    assert "Full up" in page and "On the waitlist since" in page
    assert "Somebody else" not in page
    assert "You are not in a cohort yet" in page


def test_a_used_invitation_or_answered_request_leaves_the_list(
    make_cohort: Callable[..., Cohort],
    facilitator: User,
    make_user: Callable[..., User],
    signed_in: Callable[[User], Client],
) -> None:
    from cohorts.services import invitation_accept

    me = make_user("joiner@example.org", name="Jo Joiner")
    cohort = make_cohort(by=facilitator, title="Now a member")
    _, token = invitation_create(cohort=cohort, by=facilitator, email=me.email)
    invitation_accept(token=token, user=me)
    page = _dashboard(signed_in(me))
    assert "Invitations to you" not in page and "Waiting for an answer" not in page
    assert "Now a member" in page


def test_pending_items_cost_no_extra_queries(
    make_cohort: Callable[..., Cohort],
    facilitator: User,
    make_user: Callable[..., User],
    signed_in: Callable[[User], Client],
) -> None:
    me = make_user(name="Counting Queries")
    client = signed_in(me)
    _dashboard(client)
    with CaptureQueriesContext(connection) as ctx:
        _dashboard(client)
    before = len(ctx.captured_queries)
    for n in range(2):
        cohort = make_cohort(by=facilitator, title=f"Cohort {n}")
        membership_join(cohort=cohort, user=me, message="Please")
        other = make_cohort(by=facilitator, title=f"Inv {n}")
        invitation_create(cohort=other, by=facilitator, email=me.email)
    with CaptureQueriesContext(connection) as ctx:
        _dashboard(client)
    assert len(ctx.captured_queries) == before
