"""The e-mail that welcomes a new member says what comes next: the next session, in the
member's own time zone, and where to start."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core import mail

from accounts.models import User
from cohorts.models import Cohort, Session
from cohorts.services import membership_accept, membership_join, session_create


def _session_at(cohort: Cohort, by: User, start: dt.datetime) -> Session:
    return session_create(
        cohort=cohort,
        by=by,
        title="Opening circle",
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=90),
    )


def test_the_acceptance_mail_names_the_next_session_in_my_zone_and_where_to_start(
    make_active_cohort: Callable[..., Cohort],
    facilitator: User,
    make_user: Callable[..., User],
    django_capture_on_commit_callbacks: Any,
) -> None:
    cohort = make_active_cohort(title="Welcoming cohort")
    start = (dt.datetime.now(dt.UTC) + dt.timedelta(days=9)).replace(
        hour=17, minute=0, second=0, microsecond=0
    )
    _session_at(cohort, facilitator, start)
    tokyo = make_user("tokyo@example.org", name="Tomo Tokyo", time_zone="Asia/Tokyo")
    request = membership_join(cohort=cohort, user=tokyo, message="May I join?")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        membership_accept(membership=request, by=facilitator, message="Glad you are here!")
    (sent,) = mail.outbox
    local = start.astimezone(dt.timezone(dt.timedelta(hours=9)))
    assert "What comes next" in sent.body
    assert "“Opening circle”" in sent.body
    assert f"{local:%A %d %B %Y, %H:%M} (Asia/Tokyo time)" in sent.body
    assert f"Start here: {settings.SITE_URL}{cohort.get_absolute_url()}" in sent.body
    # The facilitator's words are still framed as theirs; the site's part is not quoted.
    assert "> Glad you are here!" in sent.body
    assert "> What comes next" not in sent.body


def test_joining_an_open_cohort_sends_the_welcome_with_what_comes_next(
    make_active_cohort: Callable[..., Cohort],
    make_user: Callable[..., User],
    django_capture_on_commit_callbacks: Any,
) -> None:
    cohort = make_active_cohort(title="Open cohort", join_policy=Cohort.JoinPolicy.OPEN)
    person = make_user("open@example.org", name="Olu Open")
    with django_capture_on_commit_callbacks(execute=True):
        membership_join(cohort=cohort, user=person)
    (sent,) = [m for m in mail.outbox if m.to == [person.email]]
    assert "Open cohort" in sent.subject
    assert "No session is scheduled yet" in sent.body
    assert f"Start here: {settings.SITE_URL}{cohort.get_absolute_url()}" in sent.body
