"""A new member lands on a "Start here" panel on the cohort home: the welcome thread, the
next session and the calendar link, for their first weeks or until they hide it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from cohorts.models import Cohort, Membership, Session
from core import registry
from discussions.models import Thread


def _home(client: Client, cohort: Cohort) -> str:
    return client.get(cohort.get_absolute_url()).content.decode()


def test_a_new_member_sees_start_here_with_the_welcome_thread_session_and_calendar(
    active_cohort: Cohort,
    active_cohort_member: User,
    facilitator: User,
    make_thread: Callable[..., Thread],
    add_session: Callable[..., Session],
    signed_in: Callable[[User], Client],
) -> None:
    make_thread(active_cohort, facilitator, title="Chatter")
    welcome = make_thread(active_cohort, facilitator, title="Welcome, everyone")
    Thread.objects.filter(pk=welcome.pk).update(pinned=True, announcement=True)
    add_session(active_cohort, days=3, title="Opening circle")
    client = signed_in(active_cohort_member)

    page = _home(client, active_cohort)
    panel = page.split('id="start-here-h"', 1)[1].split("</section>", 1)[0]
    assert "Welcome, everyone" in panel and welcome.get_absolute_url() in panel
    assert "Opening circle" in panel
    assert reverse("cohorts:calendar_settings") in panel
    # Facilitators do not get it.
    assert 'id="start-here-h"' not in _home(signed_in(facilitator), active_cohort)

    response = client.post(reverse("cohorts:start_here_dismiss", args=[active_cohort.slug]))
    assert response.status_code == 302
    assert 'id="start-here-h"' not in _home(client, active_cohort)


def test_start_here_ends_after_the_first_weeks(
    active_cohort: Cohort, active_cohort_member: User, signed_in: Callable[[User], Client]
) -> None:
    client = signed_in(active_cohort_member)
    assert 'id="start-here-h"' in _home(client, active_cohort)
    Membership.objects.filter(cohort=active_cohort, user=active_cohort_member).update(
        decided_at=timezone.now() - timedelta(days=15)
    )
    assert 'id="start-here-h"' not in _home(client, active_cohort)


def test_start_here_links_come_from_the_registry(
    active_cohort: Cohort, active_cohort_member: User, signed_in: Callable[[User], Client]
) -> None:
    item = registry.StartHereItem(
        "resources.guide",
        lambda cohort, user: {"label": "Read the guide", "title": "Guide", "url": "/guide/"},
        order=5,
    )
    registry.register_start_here(item)
    try:
        page = _home(signed_in(active_cohort_member), active_cohort)
    finally:
        registry.unregister_start_here("resources.guide")
    assert 'href="/guide/">Read the guide</a>' in page
