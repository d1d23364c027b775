"""Calendar feeds parsed back with icalendar; the token and its reset."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, timedelta

from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from accounts.models import User
from cohorts.models import CalendarToken, Cohort, Session
from cohorts.services import calendar_token_for, session_cancel, session_update


def parse(response) -> Calendar:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    assert calendar.name == "VCALENDAR"
    assert str(calendar["VERSION"]) == "2.0"
    assert calendar["PRODID"]
    return calendar


def events(calendar: Calendar) -> dict[str, object]:
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def test_cohort_feed_is_valid_with_utc_times(
    active_cohort: Cohort,
    active_cohort_member: User,
    add_session: Callable[..., Session],
    signed_in: Callable[[User], Client],
) -> None:
    session = add_session(active_cohort, days=4, title="Story sharing")
    calendar = parse(
        signed_in(active_cohort_member).get(reverse("cohorts:calendar", args=[active_cohort.slug]))
    )
    (event,) = calendar.walk("VEVENT")
    start = event.decoded("DTSTART")
    assert start == session.starts_at
    assert start.utcoffset() == timedelta(0)
    assert event["DTSTART"].to_ical().endswith(b"Z")
    assert event.decoded("DTEND") == session.ends_at
    assert str(event["SUMMARY"]) == f"{active_cohort.title}: Story sharing"
    assert str(event["STATUS"]) == "CONFIRMED"
    for required in ("UID", "DTSTAMP"):
        assert required in event


def test_uid_is_stable_across_edits_and_sequence_increases(
    active_cohort: Cohort,
    active_cohort_member: User,
    facilitator: User,
    add_session: Callable[..., Session],
    signed_in: Callable[[User], Client],
) -> None:
    session = add_session(active_cohort, days=4)
    client = signed_in(active_cohort_member)
    url = reverse("cohorts:calendar", args=[active_cohort.slug])
    ((uid, before),) = events(parse(client.get(url))).items()
    session_update(
        session=session,
        by=facilitator,
        starts_at=session.starts_at + timedelta(hours=1),
        ends_at=session.ends_at + timedelta(hours=1),
    )
    ((uid_after, after),) = events(parse(client.get(url))).items()
    assert uid_after == uid
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    assert after.decoded("DTSTART") == (session.starts_at + timedelta(hours=1)).astimezone(UTC)


def test_cancelled_session_is_cancelled_in_the_feed(
    active_cohort: Cohort,
    active_cohort_member: User,
    fac_client: Client,
    add_session: Callable[..., Session],
    signed_in: Callable[[User], Client],
) -> None:
    session = add_session(active_cohort, days=4)
    fac_client.post(reverse("cohorts:session_cancel", args=[active_cohort.slug, session.pk]), {})
    calendar = parse(
        signed_in(active_cohort_member).get(reverse("cohorts:calendar", args=[active_cohort.slug]))
    )
    (event,) = calendar.walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == 1


def test_token_feed_works_without_signing_in_and_reset_cuts_it(
    active_cohort: Cohort,
    active_cohort_member: User,
    add_session: Callable[..., Session],
    signed_in: Callable[[User], Client],
    anon: Client,
) -> None:
    add_session(active_cohort, days=4)
    token = calendar_token_for(user=active_cohort_member).token
    cohort_url = reverse("cohorts:calendar", args=[active_cohort.slug])
    mine_url = reverse("cohorts:my_calendar")
    assert len(parse(anon.get(cohort_url, {"token": token})).walk("VEVENT")) == 1
    assert len(parse(anon.get(mine_url, {"token": token})).walk("VEVENT")) == 1
    assert anon.get(cohort_url).status_code == 404
    assert anon.get(mine_url).status_code == 404

    response = signed_in(active_cohort_member).post(
        reverse("cohorts:calendar_settings"), {"reset": "1"}
    )
    assert response.status_code == 302
    new = CalendarToken.objects.get(user=active_cohort_member).token
    assert new != token
    assert anon.get(cohort_url, {"token": token}).status_code == 404
    assert anon.get(mine_url, {"token": token}).status_code == 404
    assert anon.get(cohort_url, {"token": new}).status_code == 200


def test_wrong_token_is_404_even_for_a_signed_in_member(
    active_cohort: Cohort, active_cohort_member: User, signed_in: Callable[[User], Client]
) -> None:
    client = signed_in(active_cohort_member)
    url = reverse("cohorts:calendar", args=[active_cohort.slug])
    assert client.get(url).status_code == 200
    assert client.get(url, {"token": "forged"}).status_code == 404
    assert client.get(url, {"token": ""}).status_code == 404


def test_an_outsiders_token_does_not_open_a_cohort_feed(
    active_cohort: Cohort, outsider: User, anon: Client
) -> None:
    token = calendar_token_for(user=outsider).token
    url = reverse("cohorts:calendar", args=[active_cohort.slug])
    assert anon.get(url, {"token": token}).status_code == 404


def test_my_feed_gathers_every_cohort_of_mine(
    make_active_cohort: Callable[..., Cohort],
    member: User,
    seat: Callable[..., object],
    add_session: Callable[..., Session],
    anon: Client,
) -> None:
    first, second, other = (make_active_cohort(title=t) for t in ("First", "Second", "Not mine"))
    seat(first, member)
    seat(second, member)
    mine = {add_session(first, days=2).pk, add_session(second, days=9).pk}
    add_session(other, days=3)
    token = calendar_token_for(user=member).token
    calendar = parse(anon.get(reverse("cohorts:my_calendar"), {"token": token}))
    uids = set(events(calendar))
    assert uids == {f"session-{pk}@127.0.0.1" for pk in mine}


def test_settings_page_shows_absolute_subscription_links(
    active_cohort: Cohort, active_cohort_member: User, signed_in: Callable[[User], Client]
) -> None:
    page = (
        signed_in(active_cohort_member).get(reverse("cohorts:calendar_settings")).content.decode()
    )
    token = CalendarToken.objects.get(user=active_cohort_member).token
    assert f"http://testserver/cohorts/calendar/my.ics?token={token}" in page
    assert f"http://testserver/cohorts/{active_cohort.slug}/calendar.ics?token={token}" in page
    assert f"webcal://testserver/cohorts/calendar/my.ics?token={token}" in page


def test_cancelled_member_feed_after_session_cancel_service(
    active_cohort: Cohort,
    active_cohort_member: User,
    facilitator: User,
    add_session: Callable[..., Session],
    anon: Client,
) -> None:
    session = add_session(active_cohort, days=1)
    session_cancel(session=session, by=facilitator, reason="ill")
    token = calendar_token_for(user=active_cohort_member).token
    calendar = parse(anon.get(reverse("cohorts:my_calendar"), {"token": token}))
    assert [str(e["STATUS"]) for e in calendar.walk("VEVENT")] == ["CANCELLED"]
