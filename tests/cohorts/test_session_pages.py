"""Scheduling, editing, cancelling sessions; the session page; the attendance screen."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.services import profile_update
from cohorts.models import Attendance, Cohort, Membership, Session
from cohorts.services import session_cancel
from tests.helpers import SESSION_FORM as FORM


def test_create_interprets_local_times_in_the_chosen_zone(
    active_cohort: Cohort, fac_client: Client
) -> None:
    response = fac_client.post(reverse("cohorts:session_create", args=[active_cohort.slug]), FORM)
    assert response.status_code == 302
    session = Session.objects.get(cohort=active_cohort)
    # 10:00 in Chicago on 9 March 2027 (CST, UTC-6) is 16:00 UTC.
    assert session.starts_at == datetime(2027, 3, 9, 16, 0, tzinfo=UTC)
    assert session.ends_at == datetime(2027, 3, 9, 17, 30, tzinfo=UTC)
    assert session.time_zone == "America/Chicago"
    assert response["Location"] == reverse("cohorts:session", args=[active_cohort.slug, session.pk])


def test_create_form_starts_in_the_cohort_time_zone(
    active_cohort: Cohort, fac_client: Client
) -> None:
    page = fac_client.get(
        reverse("cohorts:session_create", args=[active_cohort.slug])
    ).content.decode()
    assert '<option value="America/Chicago" selected>' in page


def test_end_before_start_rerenders_with_all_input(
    active_cohort: Cohort, fac_client: Client
) -> None:
    data = FORM | {"ends_at": "2027-03-09T09:00"}
    response = fac_client.post(reverse("cohorts:session_create", args=[active_cohort.slug]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "The session must end after it starts." in page
    assert 'value="Sharing frameworks"' in page
    assert 'value="2027-03-09T10:00"' in page
    assert 'value="2027-03-09T09:00"' in page
    assert "- Bring **one** framework" in page
    assert not Session.objects.exists()


def test_a_time_skipped_by_daylight_saving_is_refused(
    active_cohort: Cohort, fac_client: Client
) -> None:
    # Clocks in Chicago jump from 02:00 to 03:00 on 14 March 2027.
    data = FORM | {"starts_at": "2027-03-14T02:30", "ends_at": "2027-03-14T04:00"}
    response = fac_client.post(reverse("cohorts:session_create", args=[active_cohort.slug]), data)
    assert response.status_code == 400
    assert "does not exist" in response.content.decode()


def test_service_refusal_is_shown_with_input_kept(
    active_cohort: Cohort, fac_client: Client
) -> None:
    data = FORM | {"ends_at": "2027-03-10T10:00"}  # 24 hours: the service refuses
    response = fac_client.post(reverse("cohorts:session_create", args=[active_cohort.slug]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "A session can last at most 12 hours." in page
    assert 'value="2027-03-10T10:00"' in page


def test_edit_shows_times_in_the_session_zone_and_saves_notes(
    active_cohort: Cohort,
    fac_client: Client,
    add_session: Callable[..., Session],
) -> None:
    session = add_session(active_cohort, days=-2, title="Opening circle", time_zone="Asia/Tokyo")
    url = reverse("cohorts:session_edit", args=[active_cohort.slug, session.pk])
    page = fac_client.get(url).content.decode()
    local = session.starts_at.astimezone(ZoneInfo("Asia/Tokyo"))
    assert f'value="{local:%Y-%m-%dT%H:%M}"' in page
    ends = session.ends_at.astimezone(local.tzinfo)
    form = {
        "title": "Opening circle",
        "time_zone": "Asia/Tokyo",
        "starts_at": f"{local:%Y-%m-%dT%H:%M}",
        "ends_at": f"{ends:%Y-%m-%dT%H:%M}",
        "notes": "We agreed to **rotate** facilitation.",
    }
    response = fac_client.post(url, form)
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.notes == "We agreed to **rotate** facilitation."
    assert session.sequence == 0  # notes are not a change calendars need to hear about


def test_session_page_renders_markdown_in_viewer_zone_with_planned_zone(
    active_cohort: Cohort,
    active_cohort_member: User,
    facilitator: User,
    signed_in: Callable[[User], Client],
    fac_client: Client,
) -> None:
    fac_client.post(
        reverse("cohorts:session_create", args=[active_cohort.slug]),
        FORM | {"notes": "<script>alert(1)</script>Decided: *yes*"},
    )
    session = Session.objects.get()
    profile_update(user=active_cohort_member, time_zone="Europe/Berlin")
    page = signed_in(active_cohort_member).get(session.get_absolute_url()).content.decode()
    assert "<strong>one</strong>" in page
    assert '<a href="https://example.org/ch1"' in page
    assert "<em>yes</em>" in page
    assert "<script>alert(1)</script>" not in page
    # 16:00 UTC is 17:00 in Berlin; the planned time is 10:00 in Chicago.
    assert "Tue 9 Mar 2027, 17:00" in page
    assert "Europe/Berlin" in page
    assert "Tue 9 Mar 2027, 10:00" in page
    assert "America/Chicago" in page
    assert reverse("cohorts:session_edit", args=[active_cohort.slug, session.pk]) not in page


def test_cancel_notifies_members_and_marks_cancelled(
    active_cohort: Cohort,
    active_cohort_member: User,
    fac_client: Client,
    add_session: Callable[..., Session],
    signed_in: Callable[[User], Client],
    django_capture_on_commit_callbacks: Any,
) -> None:
    session = add_session(active_cohort, days=5, title="Case studies")
    url = reverse("cohorts:session_cancel", args=[active_cohort.slug, session.pk])
    assert "Cancel “Case studies”?" in fac_client.get(url).content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = fac_client.post(url, {"reason": "Snow day: campus is closed."})
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.is_cancelled
    assert [m.to for m in mail.outbox] == [[active_cohort_member.email]]
    assert "Snow day: campus is closed." in mail.outbox[0].body
    page = signed_in(active_cohort_member).get(session.get_absolute_url()).content.decode()
    assert "Cancelled." in page


def test_a_cancelled_session_cannot_be_edited(
    active_cohort: Cohort,
    facilitator: User,
    fac_client: Client,
    add_session: Callable[..., Session],
) -> None:
    session = add_session(active_cohort, days=5)
    session_cancel(session=session, by=facilitator)
    url = reverse("cohorts:session_edit", args=[active_cohort.slug, session.pk])
    response = fac_client.post(url, FORM)
    assert response.status_code == 400
    assert "A cancelled session cannot be edited." in response.content.decode()
    session.refresh_from_db()
    assert session.title == "Session"


def joined_days_ago(cohort: Cohort, days: int) -> None:
    """Everyone in ``cohort`` took their place ``days`` ago (the attendance screen lists
    people for the sessions held after they joined)."""
    Membership.objects.filter(cohort=cohort).update(
        decided_at=timezone.now() - timedelta(days=days)
    )


def test_attendance_saves_many_rows_in_one_post(
    active_cohort: Cohort,
    facilitator: User,
    fac_client: Client,
    add_members: Callable[[Cohort, int], list[User]],
    add_session: Callable[..., Session],
) -> None:
    people = add_members(active_cohort, 5)
    joined_days_ago(active_cohort, 30)
    session = add_session(active_cohort, days=-1)
    url = reverse("cohorts:attendance", args=[active_cohort.slug, session.pk])
    page = fac_client.get(url).content.decode()
    for person in [*people, facilitator]:
        assert person.display_name in page
    data = {
        f"status_{people[0].pk}": "present",
        f"status_{people[1].pk}": "absent",
        f"status_{people[2].pk}": "excused",
        f"status_{people[3].pk}": "present",
        f"status_{facilitator.pk}": "present",
    }
    response = fac_client.post(url, data)
    assert response.status_code == 302
    recorded = dict(Attendance.objects.filter(session=session).values_list("user_id", "status"))
    assert recorded == {int(k.split("_")[1]): v for k, v in data.items()}
    # The screen comes back pre-filled; a second save changes one row, marks the rest.
    page = fac_client.get(url).content.decode()
    assert f'name="status_{people[1].pk}" value="absent"' in page
    checked = page.split(f'name="status_{people[1].pk}" value="absent"', 1)[1].split(">", 1)[0]
    assert "checked" in checked
    fac_client.post(url, {**data, f"status_{people[1].pk}": "excused", "all_present": "1"})
    recorded = dict(Attendance.objects.filter(session=session).values_list("user_id", "status"))
    assert recorded[people[1].pk] == "excused"
    assert recorded[people[4].pk] == "present"  # left blank, marked present
    assert len(recorded) == 6


def test_attendance_ignores_people_outside_the_cohort_and_bad_values(
    active_cohort: Cohort,
    active_cohort_member: User,
    outsider: User,
    fac_client: Client,
    add_session: Callable[..., Session],
) -> None:
    joined_days_ago(active_cohort, 30)
    session = add_session(active_cohort, days=-1)
    url = reverse("cohorts:attendance", args=[active_cohort.slug, session.pk])
    response = fac_client.post(
        url, {f"status_{outsider.pk}": "present", f"status_{active_cohort_member.pk}": "asleep"}
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Attendance.objects.exists()


def test_sessions_list_for_members(
    active_cohort: Cohort,
    active_cohort_member: User,
    facilitator: User,
    add_session: Callable[..., Session],
    signed_in: Callable[[User], Client],
) -> None:
    add_session(active_cohort, days=3, title="Next one")
    cancelled = add_session(active_cohort, days=10, title="Called off")
    session_cancel(session=cancelled, by=facilitator)
    add_session(active_cohort, days=-3, title="Last one")
    page = signed_in(active_cohort_member).get(
        reverse("cohorts:sessions", args=[active_cohort.slug])
    )
    text = page.content.decode()
    assert text.index("Next one") < text.index("Called off") < text.index("Last one")
    assert "Cancelled" in text
    assert "Schedule a session" not in text
