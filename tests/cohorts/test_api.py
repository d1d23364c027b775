"""The cohorts API: /api/v1/cohorts/, a cohort, joining, sessions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from cohorts import services
from cohorts.models import Cohort, Membership

pytestmark = pytest.mark.django_db

LIST = "/api/v1/cohorts/"


def detail(cohort: Cohort) -> str:
    return f"/api/v1/cohorts/{cohort.slug}/"


def slugs(response: Any) -> set[str]:
    return {row["slug"] for row in response.json()["results"]}


def test_anonymous_list_shows_only_public_cohorts(
    api, approved_cohort: Cohort, draft_cohort: Cohort, make_cohort, facilitator: User
) -> None:
    make_cohort(by=facilitator, title="Quiet room", listed=False)
    response = api().get(LIST)
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {"next", "previous", "results"}
    assert slugs(response) == {approved_cohort.slug}


def test_list_adds_the_callers_own_cohorts(
    api, approved_cohort: Cohort, draft_cohort: Cohort, make_cohort, facilitator: User, outsider
) -> None:
    quiet = make_cohort(by=facilitator, title="Quiet room", listed=False)
    assert slugs(api(facilitator).get(LIST)) == {
        approved_cohort.slug,
        draft_cohort.slug,
        quiet.slug,
    }
    assert slugs(api(outsider).get(LIST)) == {approved_cohort.slug}


def test_staff_see_every_cohort(api, approved_cohort: Cohort, draft_cohort: Cohort, staff) -> None:
    assert slugs(api(staff).get(LIST)) == {approved_cohort.slug, draft_cohort.slug}


def test_cohort_object_has_the_documented_fields(
    api, approved_cohort: Cohort, facilitator: User
) -> None:
    data = api().get(detail(approved_cohort)).json()
    assert data["slug"] == approved_cohort.slug
    assert data["state"] == "approved"
    assert data["join_policy"] == "request"
    assert data["listed"] is True
    assert data["capacity"] == 3
    assert data["places_left"] == 2
    assert data["term_start"] == "2031-09-01" and data["term_end"] == "2031-12-15"
    assert data["time_zone"] == "America/Chicago"
    assert data["enrollment_period"] == "fall-2031"
    assert data["focus_areas"] == [approved_cohort.focus_areas.get().slug]
    assert data["facilitators"] == [{"id": facilitator.pk, "name": "Fay Facilitator"}]
    assert data["url"] == f"http://testserver/cohorts/{approved_cohort.slug}/"
    assert "description" in data and "cadence" in data


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 404), ("outsider", 404), ("member", 404), ("facilitator", 200), ("staff", 200)],
)
def test_draft_cohort_detail_is_404_for_those_who_may_not_see_it(
    api, draft_cohort: Cohort, outsider, cohort_member, facilitator, staff, who: str, status: int
) -> None:
    user = {
        "anonymous": None,
        "outsider": outsider,
        "member": cohort_member,
        "facilitator": facilitator,
        "staff": staff,
    }[who]
    response = api(user).get(detail(draft_cohort))
    assert response.status_code == status
    if status == 404:
        assert response.json()["code"] == "not_found"


def test_list_query_count_does_not_grow_with_cohorts(api, make_cohort, make_user, staff) -> None:
    client = api(staff)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(LIST).status_code == 200
        return len(ctx.captured_queries)

    for i in range(2):
        make_cohort(by=make_user(), title=f"Small {i}")
    count()  # warm the per-process caches (content types, permissions)
    few = count()
    for i in range(10):
        make_cohort(by=make_user(), title=f"More {i}")
    assert count() == few
    assert len(client.get(LIST).json()["results"]) == 12


def test_list_is_paginated(api, make_cohort, make_user) -> None:
    for i in range(3):
        make_cohort(by=make_user(), title=f"Cohort {i}")
    body = api().get(LIST, {"page_size": 2}).json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]


# --- Joining --------------------------------------------------------------------------------


def test_join_by_request_answers_201_with_the_request(
    api, approved_cohort: Cohort, outsider: User
) -> None:
    response = api(outsider).post(
        f"{detail(approved_cohort)}join/", {"message": "Hello"}, format="json"
    )
    assert response.status_code == 201
    assert response.json() == {
        "cohort": approved_cohort.slug,
        "status": "requested",
        "role": "member",
    }
    membership = Membership.objects.get(cohort=approved_cohort, user=outsider)
    assert membership.request_message == "Hello"


def test_asking_again_while_pending_answers_200(api, approved_cohort: Cohort, outsider) -> None:
    client = api(outsider)
    client.post(f"{detail(approved_cohort)}join/")
    response = client.post(f"{detail(approved_cohort)}join/")
    assert response.status_code == 200
    assert response.json()["status"] == "requested"


def test_join_open_cohort_seats_then_waitlists(
    api, make_cohort, facilitator: User, make_user
) -> None:
    cohort = make_cohort(by=facilitator, title="Open door", join_policy="open", capacity=2)
    statuses = [api(make_user()).post(f"{detail(cohort)}join/").json()["status"] for _ in range(3)]
    assert statuses == ["active", "active", "waitlisted"]


def test_join_as_a_member_already_is_409(api, approved_cohort: Cohort, cohort_member) -> None:
    response = api(cohort_member).post(f"{detail(approved_cohort)}join/")
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert "already a member" in response.json()["detail"]


def test_join_invitation_only_visible_cohort_is_403(
    api, make_cohort, facilitator: User, outsider
) -> None:
    cohort = make_cohort(by=facilitator, title="Invited circle", join_policy="invitation")
    response = api(outsider).post(f"{detail(cohort)}join/")
    assert response.status_code == 403
    assert response.json() == {
        "detail": "This cohort takes members by invitation only.",
        "code": "forbidden",
    }


def test_join_invisible_cohort_is_404_not_403(
    api, make_cohort, facilitator: User, outsider, draft_cohort: Cohort
) -> None:
    cohort = make_cohort(
        by=facilitator, title="Hidden invited", join_policy="invitation", listed=False
    )
    assert api(outsider).post(f"{detail(cohort)}join/").status_code == 404
    assert api(outsider).post(f"{detail(draft_cohort)}join/").status_code == 404
    assert api(outsider).post("/api/v1/cohorts/nope/join/").status_code == 404


def test_join_a_cohort_not_taking_members_is_400(
    api, make_cohort, facilitator: User, outsider
) -> None:
    cohort = make_cohort(by=facilitator, title="Over", state="concluded")
    response = api(outsider).post(f"{detail(cohort)}join/")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_join_requires_authentication(api, approved_cohort: Cohort) -> None:
    response = api().post(f"{detail(approved_cohort)}join/")
    assert response.status_code == 401
    assert (
        not Membership.objects.filter(cohort=approved_cohort, role="member")
        .exclude(user__email="cohort.member@example.org")
        .exists()
    )


def test_join_rejects_an_overlong_message(api, approved_cohort: Cohort, outsider) -> None:
    response = api(outsider).post(
        f"{detail(approved_cohort)}join/", {"message": "x" * 2001}, format="json"
    )
    assert response.status_code == 400
    assert "message" in response.json()["errors"]


# --- Sessions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 401), ("outsider", 404), ("member", 200), ("facilitator", 200), ("staff", 200)],
)
def test_sessions_are_for_members_only(
    api,
    approved_cohort: Cohort,
    outsider,
    cohort_member,
    facilitator,
    staff,
    who: str,
    status: int,
) -> None:
    user = {
        "anonymous": None,
        "outsider": outsider,
        "member": cohort_member,
        "facilitator": facilitator,
        "staff": staff,
    }[who]
    response = api(user).get(f"{detail(approved_cohort)}sessions/")
    assert response.status_code == status


def test_sessions_of_unknown_cohort_is_404(api, outsider) -> None:
    assert api(outsider).get("/api/v1/cohorts/nope/sessions/").status_code == 404


def test_session_times_are_iso_utc_whatever_the_viewers_time_zone(
    api, approved_cohort: Cohort, facilitator: User, cohort_member: User
) -> None:
    cohort_member.time_zone = "Asia/Tokyo"
    cohort_member.save(update_fields=["time_zone"])
    starts = dt.datetime(2031, 9, 9, 15, 0, tzinfo=dt.UTC)
    session = services.session_create(
        cohort=approved_cohort,
        by=facilitator,
        title="Opening circle",
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=90),
    )
    services.session_cancel(session=session, by=facilitator)
    client = APIClient()
    client.force_login(cohort_member)  # session auth, so the time-zone middleware runs
    rows = client.get(f"{detail(approved_cohort)}sessions/").json()["results"]
    assert rows[0]["starts_at"] == "2031-09-09T15:00:00Z"
    assert rows[0]["ends_at"] == "2031-09-09T16:30:00Z"
    assert rows[0]["cancelled"] is True
    assert rows[0]["title"] == "Opening circle"


def test_sessions_query_count_does_not_grow(
    api, approved_cohort: Cohort, facilitator: User
) -> None:
    client = api(facilitator)

    def add(n: int) -> None:
        start = timezone.now() + dt.timedelta(days=1)
        for i in range(n):
            services.session_create(
                cohort=approved_cohort,
                by=facilitator,
                title=f"S{i}",
                starts_at=start + dt.timedelta(days=7 * i),
                ends_at=start + dt.timedelta(days=7 * i, hours=1),
            )

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"{detail(approved_cohort)}sessions/").status_code == 200
        return len(ctx.captured_queries)

    add(2)
    count()  # warm the per-process caches (content types, permissions)
    few = count()
    add(10)
    assert count() == few
