"""Every page and action of the console, sessions, calendar and participation view against
anonymous, outsider, member, facilitator and staff. What may not be seen is a 404; a member
can never act as a facilitator."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from cohorts.models import Attendance, Cohort, Invitation, Membership, Session
from cohorts.services import invitation_create, membership_join

ROLES = ("anonymous", "outsider", "member", "facilitator", "staff")
LOGIN = 302  # login_required sends anonymous visitors to sign in


@dataclass
class World:
    cohort: Cohort
    session: Session
    membership: Membership  # the seated member's
    request: Membership  # a pending request
    invitation: Invitation
    clients: dict[str, Client]


@pytest.fixture
def world(
    active_cohort: Cohort,
    active_cohort_member: User,
    outsider: User,
    staff: User,
    facilitator: User,
    make_user: Callable[..., User],
    add_session: Callable[..., Any],
    signed_in: Callable[[User], Client],
) -> World:
    session = add_session(active_cohort, days=-1)
    asker = make_user(name="Asha Asker")
    request = membership_join(cohort=active_cohort, user=asker, message="Hello")
    invitation, _ = invitation_create(cohort=active_cohort, by=facilitator, email="new@example.org")
    return World(
        cohort=active_cohort,
        session=session,
        membership=Membership.objects.get(cohort=active_cohort, user=active_cohort_member),
        request=request,
        invitation=invitation,
        clients={
            "anonymous": Client(),
            "outsider": signed_in(outsider),
            "member": signed_in(active_cohort_member),
            "facilitator": signed_in(facilitator),
            "staff": signed_in(staff),
        },
    )


FACILITATORS_ONLY = dict(zip(ROLES, (LOGIN, 404, 404, 200, 404), strict=True))
MEMBERS = dict(zip(ROLES, (LOGIN, 404, 200, 200, 200), strict=True))
FEED = dict(zip(ROLES, (404, 404, 200, 200, 200), strict=True))
SIGNED_IN = dict(zip(ROLES, (LOGIN, 200, 200, 200, 200), strict=True))

PAGES: list[tuple[str, Callable[[World], str], dict[str, int]]] = [
    ("console", lambda w: reverse("cohorts:console", args=[w.cohort.slug]), FACILITATORS_ONLY),
    (
        "member_remove (confirm)",
        lambda w: reverse("cohorts:member_remove", args=[w.cohort.slug, w.membership.pk]),
        FACILITATORS_ONLY,
    ),
    ("sessions", lambda w: reverse("cohorts:sessions", args=[w.cohort.slug]), MEMBERS),
    (
        "session",
        lambda w: reverse("cohorts:session", args=[w.cohort.slug, w.session.pk]),
        MEMBERS,
    ),
    (
        "session_create",
        lambda w: reverse("cohorts:session_create", args=[w.cohort.slug]),
        FACILITATORS_ONLY,
    ),
    (
        "session_edit",
        lambda w: reverse("cohorts:session_edit", args=[w.cohort.slug, w.session.pk]),
        FACILITATORS_ONLY,
    ),
    (
        "session_cancel (confirm)",
        lambda w: reverse("cohorts:session_cancel", args=[w.cohort.slug, w.session.pk]),
        FACILITATORS_ONLY,
    ),
    (
        "attendance",
        lambda w: reverse("cohorts:attendance", args=[w.cohort.slug, w.session.pk]),
        FACILITATORS_ONLY,
    ),
    ("calendar", lambda w: reverse("cohorts:calendar", args=[w.cohort.slug]), FEED),
    ("my_calendar", lambda w: reverse("cohorts:my_calendar"), FEED | {"outsider": 200}),
    ("calendar_settings", lambda w: reverse("cohorts:calendar_settings"), SIGNED_IN),
    (
        "participation",
        lambda w: reverse("participation:cohort", args=[w.cohort.slug]),
        FACILITATORS_ONLY,
    ),
]


@pytest.mark.parametrize(("name", "url", "expected"), PAGES, ids=[p[0] for p in PAGES])
def test_page_status_for_every_role(
    world: World, name: str, url: Callable[[World], str], expected: dict[str, int]
) -> None:
    target = url(world)
    got = {role: world.clients[role].get(target).status_code for role in ROLES}
    assert got == expected


@pytest.mark.parametrize(
    "url",
    [
        lambda slug: reverse("cohorts:console", args=[slug]),
        lambda slug: reverse("cohorts:sessions", args=[slug]),
        lambda slug: reverse("cohorts:calendar", args=[slug]),
        lambda slug: reverse("participation:cohort", args=[slug]),
    ],
)
def test_unknown_cohort_is_404_even_for_staff(world: World, url: Callable[[str], str]) -> None:
    assert world.clients["staff"].get(url("no-such-cohort")).status_code == 404


def test_session_of_another_cohort_is_404(
    world: World, make_active_cohort: Callable[..., Cohort], add_session: Callable[..., Session]
) -> None:
    other = add_session(make_active_cohort(title="Another cohort"))
    for name in ("session", "session_edit", "attendance"):
        url = reverse(f"cohorts:{name}", args=[world.cohort.slug, other.pk])
        assert world.clients["facilitator"].get(url).status_code == 404, name


# --- Writes: nobody but a facilitator changes anything ----------------------------------


def _writes(w: World) -> list[tuple[str, str, dict[str, Any]]]:
    slug = w.cohort.slug
    start = (w.session.starts_at + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")
    end = (w.session.starts_at + timedelta(days=30, hours=1)).strftime("%Y-%m-%dT%H:%M")
    session_data = {
        "title": "Hijacked",
        "time_zone": "UTC",
        "starts_at": start,
        "ends_at": end,
    }
    return [
        ("accept", reverse("cohorts:request_decide", args=[slug, w.request.pk, "accept"]), {}),
        ("decline", reverse("cohorts:request_decide", args=[slug, w.request.pk, "decline"]), {}),
        (
            "invite",
            reverse("cohorts:invite", args=[slug]),
            {"emails": "intruder@example.org", "role": "facilitator"},
        ),
        ("revoke", reverse("cohorts:invitation_revoke", args=[slug, w.invitation.pk]), {}),
        ("create", reverse("cohorts:session_create", args=[slug]), session_data),
        (
            "template",
            reverse("cohorts:session_template", args=[slug]),
            {
                "first_day": "2027-03-01",
                "start_time": "10:00",
                "cadence": "weekly",
                "minutes": 90,
                "confirm": "1",
            },
        ),
        ("edit", reverse("cohorts:session_edit", args=[slug, w.session.pk]), session_data),
        (
            "attendance",
            reverse("cohorts:attendance", args=[slug, w.session.pk]),
            {f"status_{w.membership.user_id}": "present"},
        ),
        ("cancel", reverse("cohorts:session_cancel", args=[slug, w.session.pk]), {"reason": "x"}),
        ("remove", reverse("cohorts:member_remove", args=[slug, w.membership.pk]), {}),
    ]


def _snapshot(w: World) -> tuple[Any, ...]:
    return (
        sorted(Membership.objects.values_list("pk", "status", "role")),
        sorted(Invitation.objects.values_list("pk", "revoked_at", "email")),
        sorted(Session.objects.values_list("pk", "title", "starts_at", "cancelled_at")),
        Attendance.objects.count(),
    )


@pytest.mark.parametrize("role", ["anonymous", "outsider", "member", "staff"])
def test_only_facilitators_can_write(world: World, role: str) -> None:
    before = _snapshot(world)
    client = world.clients[role]
    for name, url, data in _writes(world):
        response = client.post(url, data)
        expected = LOGIN if role == "anonymous" else 404
        assert response.status_code == expected, (role, name)
    assert _snapshot(world) == before


def test_facilitator_writes_succeed(world: World) -> None:
    client = world.clients["facilitator"]
    for name, url, data in _writes(world):
        if name == "decline":  # the request was accepted a moment ago
            continue
        response = client.post(url, data)
        assert response.status_code == 302, (name, response.status_code)
    world.request.refresh_from_db()
    assert world.request.status == Membership.Status.ACTIVE
    world.membership.refresh_from_db()
    assert world.membership.status == Membership.Status.REMOVED
    assert Session.objects.filter(cohort=world.cohort).count() == 1 + 1 + 6
    assert Attendance.objects.filter(session=world.session).count() == 1
    world.session.refresh_from_db()
    assert world.session.is_cancelled
    assert Invitation.objects.filter(email="intruder@example.org", role="facilitator").exists()
