"""Joining, requests, the waitlist, leaving, removal, and the guardian groups behind them."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core import mail
from django.test import Client
from django.urls import reverse
from guardian.core import ObjectPermissionChecker
from guardian.shortcuts import get_perms

from accounts.models import Notification, User
from cohorts import services
from cohorts.models import Cohort, CohortUserObjectPermission, Membership
from cohorts.permissions import can_facilitate, can_view_content
from cohorts.services import (
    CohortError,
    cohort_conclude,
    invitation_accept,
    invitation_create,
    membership_accept,
    membership_decline,
    membership_join,
    membership_leave,
    membership_remove,
)
from cohorts.services.membership import places_left
from core.realtime import user_group

pytestmark = pytest.mark.django_db

M = Membership
S = Cohort.State


def fresh(user: User) -> User:
    """The person as the next request would load them (no cached permission checker)."""
    return User.objects.get(pk=user.pk)


def statuses(cohort: Cohort) -> dict[int, str]:
    return dict(M.objects.filter(cohort=cohort).values_list("user_id", "status"))


def active_members(cohort: Cohort) -> int:
    return M.objects.filter(cohort=cohort, role=M.Role.MEMBER, status=M.Status.ACTIVE).count()


@pytest.fixture
def in_memory_layer(settings: Any) -> Any:
    """A real in-memory channel layer, whatever the run is configured with."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    return get_channel_layer()


def listen(layer: Any, user: User) -> str:
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(user_group(user.pk), channel)
    return channel


def receive_all(layer: Any, channel: str) -> list[dict[str, Any]]:
    """Every event waiting on ``channel`` (decoded), without blocking for more."""

    async def drain() -> list[dict[str, Any]]:
        events = []
        while True:
            try:
                message = await asyncio.wait_for(layer.receive(channel), timeout=0.05)
            except TimeoutError:
                return events
            events.append(json.loads(message["text"]))

    return async_to_sync(drain)()


# --- open cohorts and capacity --------------------------------------------------------------


def test_open_cohort_seats_people_until_capacity_then_waitlists(
    cohort_in_state: Callable[..., Cohort], people: Callable[[int], list[User]]
) -> None:
    cohort = cohort_in_state(join_policy="open", capacity=3)
    crowd = people(5)
    results = [membership_join(cohort=cohort, user=person) for person in crowd]
    assert [m.status for m in results] == ["active"] * 3 + ["waitlisted"] * 2
    assert places_left(cohort) == 0
    assert all(m.waitlisted_at is not None for m in results[3:])
    for person in crowd[:3]:
        assert can_view_content(fresh(person), cohort)
    for person in crowd[3:]:
        assert not can_view_content(fresh(person), cohort)


def test_facilitators_do_not_take_member_places(
    cohort_in_state: Callable[..., Cohort], people: Callable[[int], list[User]]
) -> None:
    cohort = cohort_in_state(join_policy="open", capacity=2)
    assert places_left(cohort) == 2  # the proposer is seated, as facilitator
    for person in people(2):
        membership_join(cohort=cohort, user=person)
    assert places_left(cohort) == 0


def test_joining_twice_returns_the_pending_membership_and_refuses_a_seated_member(
    cohort_in_state: Callable[..., Cohort], member: User
) -> None:
    cohort = cohort_in_state(join_policy="request")
    first = membership_join(cohort=cohort, user=member, message="Hello")
    again = membership_join(cohort=cohort, user=member, message="Hello again")
    assert again.pk == first.pk and again.status == "requested"
    open_cohort = cohort_in_state(title="Open one", join_policy="open")
    membership_join(cohort=open_cohort, user=member)
    with pytest.raises(CohortError, match="already a member") as refused:
        membership_join(cohort=open_cohort, user=member)
    assert refused.value.code == "conflict"


@pytest.mark.parametrize("state", [S.DRAFT, S.SUBMITTED, S.CONCLUDED, S.REJECTED])
def test_cohort_outside_approved_or_active_takes_no_members(
    propose: Callable[..., Cohort],
    bring_to: Callable[[Cohort, str], Cohort],
    member: User,
    state: str,
) -> None:
    cohort = bring_to(propose(join_policy="open"), state)
    with pytest.raises(CohortError, match="not taking members"):
        membership_join(cohort=cohort, user=member)
    assert not M.objects.filter(cohort=cohort, user=member).exists()


def test_invitation_only_cohort_refuses_to_be_joined(
    cohort_in_state: Callable[..., Cohort], member: User
) -> None:
    cohort = cohort_in_state(join_policy="invitation")
    with pytest.raises(CohortError) as refused:
        membership_join(cohort=cohort, user=member, message="Please?")
    assert refused.value.message == "This cohort takes members by invitation only."
    assert refused.value.code == "forbidden"
    assert not M.objects.filter(cohort=cohort, user=member).exists()


# --- requests -------------------------------------------------------------------------------


def test_request_waits_for_facilitators_who_are_told(
    cohort_in_state: Callable[..., Cohort], member: User, facilitator: User
) -> None:
    cohort = cohort_in_state(join_policy="request")
    request = membership_join(
        cohort=cohort, user=member, message="  I run a food-justice project. "
    )
    assert (request.status, request.request_message) == (
        "requested",
        "I run a food-justice project.",
    )
    assert not can_view_content(fresh(member), cohort)
    note = Notification.objects.get(user=facilitator, kind="membership.requested")
    assert note.body == "I run a food-justice project."
    assert note.url == f"/cohorts/{cohort.slug}/console/"


def test_accepting_a_request_seats_the_person_and_sends_the_message(
    cohort_in_state: Callable[..., Cohort],
    member: User,
    facilitator: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    cohort = cohort_in_state(join_policy="request")
    request = membership_join(cohort=cohort, user=member)
    with django_capture_on_commit_callbacks(execute=True):
        accepted = membership_accept(membership=request, by=facilitator, message="Welcome, Mei!")
    accepted.refresh_from_db()
    assert (accepted.status, accepted.decided_by, accepted.decision_message) == (
        "active",
        facilitator,
        "Welcome, Mei!",
    )
    assert accepted.decided_at is not None
    assert can_view_content(fresh(member), cohort)
    note = Notification.objects.get(user=member, kind="membership.accepted")
    assert note.body == "Welcome, Mei!"
    assert [m.to for m in mail.outbox] == [[member.email]]
    assert "Welcome, Mei!" in mail.outbox[0].body


def test_declining_a_request_keeps_the_person_out_and_tells_them_why(
    cohort_in_state: Callable[..., Cohort],
    member: User,
    facilitator: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    cohort = cohort_in_state(join_policy="request")
    request = membership_join(cohort=cohort, user=member)
    with django_capture_on_commit_callbacks(execute=True):
        declined = membership_decline(
            membership=request, by=facilitator, message="We are full this term; try spring."
        )
    assert (declined.status, declined.decision_message) == (
        "declined",
        "We are full this term; try spring.",
    )
    assert not can_view_content(fresh(member), cohort)
    assert Notification.objects.get(user=member, kind="membership.declined").body.startswith(
        "We are full"
    )
    assert mail.outbox[0].to == [member.email]
    with pytest.raises(CohortError, match="Only pending requests can be accepted"):
        membership_accept(membership=declined, by=facilitator)
    # Asking again later is allowed: the person is back in the queue.
    again = membership_join(cohort=cohort, user=member, message="Trying again")
    assert (again.pk, again.status, again.decision_message) == (request.pk, "requested", "")


def test_accepting_when_the_cohort_is_full_puts_the_person_on_the_waitlist(
    cohort_in_state: Callable[..., Cohort],
    seat: Callable[..., Membership],
    people: Callable[[int], list[User]],
    facilitator: User,
) -> None:
    cohort = cohort_in_state(join_policy="request", capacity=2)
    first, second, late = people(3)
    seat(cohort, first)
    seat(cohort, second)
    request = membership_join(cohort=cohort, user=late)
    result = membership_accept(membership=request, by=facilitator, message="You are next.")
    assert result.status == "waitlisted"
    assert result.waitlisted_at is not None
    assert active_members(cohort) == 2
    assert not can_view_content(fresh(late), cohort)
    note = Notification.objects.get(user=late, kind="membership.accepted")
    assert "waitlist" in note.title and note.body == "You are next."


# --- the waitlist ---------------------------------------------------------------------------


def test_waitlist_promotes_strictly_in_order_when_people_leave_or_are_removed(
    cohort_in_state: Callable[..., Cohort],
    people: Callable[[int], list[User]],
    facilitator: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    cohort = cohort_in_state(join_policy="open", capacity=2)
    seated_a, seated_b, w1, w2, w3 = people(5)
    memberships = {p.pk: membership_join(cohort=cohort, user=p) for p in (seated_a, seated_b)}
    for person in (w1, w2, w3):
        assert membership_join(cohort=cohort, user=person).status == "waitlisted"

    with django_capture_on_commit_callbacks(execute=True):
        membership_leave(membership=memberships[seated_a.pk])
    assert statuses(cohort)[w1.pk] == "active"
    assert (statuses(cohort)[w2.pk], statuses(cohort)[w3.pk]) == ("waitlisted", "waitlisted")
    assert can_view_content(fresh(w1), cohort)
    assert Notification.objects.filter(user=w1, kind="membership.promoted").exists()
    assert [m.to for m in mail.outbox] == [[w1.email]]

    membership_remove(membership=memberships[seated_b.pk], by=facilitator, message="Sorry")
    assert statuses(cohort)[w2.pk] == "active"
    assert statuses(cohort)[w3.pk] == "waitlisted"
    assert active_members(cohort) == 2


def test_withdrawing_from_the_waitlist_does_not_promote_anyone(
    cohort_in_state: Callable[..., Cohort], people: Callable[[int], list[User]]
) -> None:
    cohort = cohort_in_state(join_policy="open", capacity=2)
    a, b, w1, w2 = people(4)
    for person in (a, b):
        membership_join(cohort=cohort, user=person)
    waiting = membership_join(cohort=cohort, user=w1)
    membership_join(cohort=cohort, user=w2)
    membership_leave(membership=waiting)
    assert statuses(cohort)[w1.pk] == "left"
    assert statuses(cohort)[w2.pk] == "waitlisted"
    assert active_members(cohort) == 2


# --- leaving and removal --------------------------------------------------------------------


def test_removed_member_loses_every_right_and_is_told_live_after_commit(
    cohort_in_state: Callable[..., Cohort],
    seat: Callable[..., Membership],
    member: User,
    facilitator: User,
    in_memory_layer: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    cohort = cohort_in_state(join_policy="request")
    membership = seat(cohort, member)
    assert can_view_content(fresh(member), cohort)
    channel = listen(in_memory_layer, member)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        removed = membership_remove(membership=membership, by=facilitator, message="Conduct")
        # Nothing is published before the transaction commits.
        assert receive_all(in_memory_layer, channel) == []
    for callback in callbacks:
        callback()

    assert (removed.status, removed.decided_by, removed.decision_message) == (
        "removed",
        facilitator,
        "Conduct",
    )
    again = fresh(member)
    assert not can_view_content(again, cohort)
    assert get_perms(again, cohort) == []
    assert not again.groups.filter(pk__in=[cohort.member_group_id, cohort.facilitator_group_id])
    events = receive_all(in_memory_layer, channel)
    assert {"type": "membership.ended", "cohort": cohort.slug, "reason": "removed"} in events
    # A removed person cannot simply join again.
    with pytest.raises(CohortError, match="removed you") as refused:
        membership_join(cohort=cohort, user=member)
    assert refused.value.code == "forbidden"


def test_leaving_ends_access_and_publishes_membership_ended(
    cohort_in_state: Callable[..., Cohort],
    seat: Callable[..., Membership],
    member: User,
    in_memory_layer: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    cohort = cohort_in_state(join_policy="open")
    membership = seat(cohort, member)
    channel = listen(in_memory_layer, member)
    with django_capture_on_commit_callbacks(execute=True):
        membership_leave(membership=membership)
    assert not can_view_content(fresh(member), cohort)
    events = receive_all(in_memory_layer, channel)
    assert {"type": "membership.ended", "cohort": cohort.slug, "reason": "left"} in events
    with pytest.raises(CohortError, match="not in this cohort"):
        membership_leave(membership=membership)


def test_the_last_facilitator_cannot_leave_but_one_of_two_can(
    cohort_in_state: Callable[..., Cohort], facilitator: User, cofacilitator: User
) -> None:
    cohort = cohort_in_state()
    own = M.objects.get(cohort=cohort, user=facilitator)
    with pytest.raises(CohortError) as refused:
        membership_leave(membership=own)
    assert refused.value.message == (
        "A cohort needs a facilitator: invite a co-facilitator before leaving."
    )
    assert can_facilitate(fresh(facilitator), cohort)

    _, token = invitation_create(
        cohort=cohort, by=facilitator, email=cofacilitator.email, role="facilitator"
    )
    invitation_accept(token=token, user=cofacilitator)
    membership_leave(membership=own)
    assert not can_facilitate(fresh(facilitator), cohort)
    assert can_facilitate(fresh(cofacilitator), cohort)
    with pytest.raises(CohortError, match="needs a facilitator"):
        membership_leave(membership=M.objects.get(cohort=cohort, user=cofacilitator))


def test_facilitator_cannot_remove_themselves(
    cohort_in_state: Callable[..., Cohort], facilitator: User
) -> None:
    cohort = cohort_in_state()
    own = M.objects.get(cohort=cohort, user=facilitator)
    with pytest.raises(CohortError, match="use “Leave”"):
        membership_remove(membership=own, by=facilitator)


# --- guardian groups ------------------------------------------------------------------------


def test_roles_are_object_permissions_held_through_the_cohort_groups(
    cohort_in_state: Callable[..., Cohort],
    seat: Callable[..., Membership],
    member: User,
    facilitator: User,
    outsider: User,
) -> None:
    cohort = cohort_in_state()
    other = cohort_in_state(title="Another cohort")
    seat(cohort, member)

    assert set(get_perms(fresh(member), cohort)) == {"view_cohort_content"}
    assert set(get_perms(fresh(facilitator), cohort)) == {
        "view_cohort_content",
        "facilitate_cohort",
    }
    assert get_perms(fresh(outsider), cohort) == []
    assert get_perms(fresh(member), other) == []
    # Through the groups only: nobody holds a per-user permission row.
    assert not CohortUserObjectPermission.objects.exists()
    assert fresh(member).groups.filter(pk=cohort.member_group_id).exists()
    assert fresh(facilitator).groups.filter(pk=cohort.facilitator_group_id).exists()

    checker = ObjectPermissionChecker(fresh(member))
    checker.prefetch_perms([cohort, other])
    assert checker.has_perm("view_cohort_content", cohort)
    assert not checker.has_perm("facilitate_cohort", cohort)
    assert not checker.has_perm("view_cohort_content", other)


def test_member_promoted_to_facilitator_moves_group(
    cohort_in_state: Callable[..., Cohort],
    seat: Callable[..., Membership],
    member: User,
    facilitator: User,
) -> None:
    cohort = cohort_in_state()
    seat(cohort, member)
    _, token = invitation_create(
        cohort=cohort, by=facilitator, email=member.email, role="facilitator"
    )
    membership = invitation_accept(token=token, user=member)
    assert (membership.role, membership.status) == ("facilitator", "active")
    again = fresh(member)
    assert list(again.groups.values_list("pk", flat=True)) == [cohort.facilitator_group_id]
    assert can_facilitate(again, cohort)


def test_alumni_keep_read_access_after_the_cohort_concludes(
    cohort_in_state: Callable[..., Cohort],
    seat: Callable[..., Membership],
    member: User,
    facilitator: User,
) -> None:
    cohort = cohort_in_state(state=S.ACTIVE)
    seat(cohort, member)
    cohort_conclude(cohort=cohort, by=facilitator)
    assert M.objects.get(cohort=cohort, user=member).status == "alumni"
    alum = fresh(member)
    assert can_view_content(alum, cohort)
    assert set(get_perms(alum, cohort)) == {"view_cohort_content"}
    assert can_facilitate(fresh(facilitator), cohort)


def test_raising_capacity_gives_the_new_places_to_the_waitlist_first(
    cohort_in_state: Callable[..., Cohort],
    people: Callable[[int], list[User]],
    facilitator: User,
) -> None:
    from cohorts.services import cohort_update

    cohort = cohort_in_state(join_policy="open", capacity=2)
    a, b, w1, w2, newcomer = people(5)
    for person in (a, b, w1, w2):
        membership_join(cohort=cohort, user=person)
    cohort_update(cohort=cohort, by=facilitator, capacity=3)
    assert statuses(cohort)[w1.pk] == "active"
    assert statuses(cohort)[w2.pk] == "waitlisted"
    # The newcomer queues behind w2 instead of jumping ahead.
    assert membership_join(cohort=cohort, user=newcomer).status == "waitlisted"


def test_member_who_becomes_facilitator_frees_their_place_for_the_waitlist(
    cohort_in_state: Callable[..., Cohort],
    people: Callable[[int], list[User]],
    facilitator: User,
) -> None:
    cohort = cohort_in_state(join_policy="open", capacity=2)
    a, b, waiting = people(3)
    for person in (a, b, waiting):
        membership_join(cohort=cohort, user=person)
    _, token = invitation_create(cohort=cohort, by=facilitator, email=a.email, role="facilitator")
    invitation_accept(token=token, user=a)
    assert statuses(cohort)[waiting.pk] == "active"
    assert active_members(cohort) == 2


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


def test_an_over_long_join_message_is_refused_not_silently_dropped(
    approved_cohort: Cohort, outsider: User, signed_in: Callable[[User], Client]
) -> None:
    client = signed_in(outsider)
    client.post(reverse("cohorts:join", args=[approved_cohort.slug]), {"message": "x" * 5000})
    assert not Membership.objects.filter(cohort=approved_cohort, user=outsider).exists()
