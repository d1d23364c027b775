"""Sessions as RFC 5545 iCalendar documents."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from cohorts.models import Session

PRODID = "-//Commonplace//Communities of practice//EN"


def session_uid(session: Session) -> str:
    """Stable for the life of the session, whatever is edited."""
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    return f"session-{session.pk}@{host or 'commonplace'}"


def build_calendar(sessions: Iterable[Session], *, name: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    now = timezone.now()
    for session in sessions:
        event = Event()
        event.add("uid", session_uid(session))
        event.add("dtstamp", now)
        # Always UTC: a TZID would need a VTIMEZONE block, and a session fresh from the
        # template still carries the cohort's zone (rows read back from the database do not).
        event.add("dtstart", session.starts_at.astimezone(UTC))
        event.add("dtend", session.ends_at.astimezone(UTC))
        event.add("summary", f"{session.cohort.title}: {session.title}")
        event.add("sequence", session.sequence)
        event.add("last-modified", session.updated_at)
        event.add("url", settings.SITE_URL + session.get_absolute_url())
        location = session.video_url or session.place
        if location:
            event.add("location", location)
        description = [session.agenda.strip()] if session.agenda.strip() else []
        if session.prework.strip():
            description.append("Pre-work:\n" + session.prework.strip())
        if description:
            event.add("description", "\n\n".join(description))
        if session.is_cancelled:
            event.add("status", "CANCELLED")
        else:
            event.add("status", "CONFIRMED")
        calendar.add_component(event)
    return calendar.to_ical()
