"""What the repertoire adds to the pages that gather across apps, through the registries:
the participation view's "Resources shared" column (counts only), the dashboard's "New
resources in your cohorts", the cohort home's Resources card and its recent activity.
None of them asks more queries as resources grow."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from cohorts.models import Cohort
from core.registry import cohort_cards, panels, participation_sources
from resources import services
from resources.models import Resource

pytestmark = pytest.mark.django_db


def _section(html: str, heading_id: str) -> str:
    found = re.search(rf'<section[^>]*aria-labelledby="{heading_id}".*?</section>', html, re.S)
    assert found, f"no section {heading_id}"
    return found.group(0)


def _aged(resource: Resource, days: float) -> None:
    Resource.objects.filter(pk=resource.pk).update(created_at=timezone.now() - timedelta(days=days))


def test_the_registrations_are_in_place() -> None:
    assert "resources" in [s.key for s in participation_sources()]
    assert "resources.new" in [p.name for p in panels()]
    assert "resources.repertoire" in [c.name for c in cohort_cards()]


# --- participation --------------------------------------------------------------------------


def test_participation_counts_resources_shared_but_never_shows_them(
    share: Callable[..., Resource],
    home: Cohort,
    member: User,
    member2: User,
    fac_client: Client,
) -> None:
    share("link", title="Secret guide", by=member)
    share("note", title="Private notes", by=member)
    gone = share("link", title="Deleted one", by=member)
    services.resource_delete(resource=gone, by=member)
    html = fac_client.get(reverse("participation:cohort", args=[home.slug])).content.decode()
    assert "Resources shared" in html
    mine = html.split(member.display_name, 1)[1].split("</tr>", 1)[0]
    theirs = html.split(member2.display_name, 1)[1].split("</tr>", 1)[0]
    assert ">2<" in re.sub(r"\s", "", mine)
    assert ">0<" in re.sub(r"\s", "", theirs)
    assert "Secret guide" not in html and "Private notes" not in html


# --- dashboard panel ------------------------------------------------------------------------


def test_the_dashboard_lists_others_new_resources_of_the_last_two_weeks(
    share: Callable[..., Resource],
    member: User,
    member2: User,
    signed_in: Callable[[User], Client],
) -> None:
    share("link", title="Fresh from Mateo", by=member2)
    _aged(share("link", title="Old from Mateo", by=member2), 15)
    share("link", title="My own", by=member)
    panel = _section(
        signed_in(member).get(reverse("dashboard:home")).content.decode(), "resources-new-h"
    )
    assert "New resources in your cohorts" in panel
    assert "Fresh from Mateo" in panel and "Mateo Member" in panel
    assert "Old from Mateo" not in panel and "My own" not in panel


def test_outsiders_see_nothing_new_from_a_cohort_they_are_not_in(
    share: Callable[..., Resource], member2: User, outsider: User, signed_in: Callable[..., Client]
) -> None:
    share("link", title="Cohort only", by=member2)
    share("link", title="Platform wide", by=member2, scope="platform")
    panel = _section(
        signed_in(outsider).get(reverse("dashboard:home")).content.decode(), "resources-new-h"
    )
    assert "Cohort only" not in panel and "Platform wide" not in panel
    assert "Nothing new in the last 14 days." in panel


def test_the_dashboard_asks_no_more_queries_with_more_new_resources(
    share: Callable[..., Resource], member: User, member2: User, signed_in: Callable[..., Client]
) -> None:
    client = signed_in(member)

    def measure() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("dashboard:home")).status_code == 200
        return len(queries)

    share("link", title="First", by=member2)
    client.get(reverse("dashboard:home"))
    few = measure()
    for n in range(12):
        share("note", title=f"New {n}", by=member2, scope="platform" if n % 2 else "cohort")
    assert measure() == few


# --- cohort home ----------------------------------------------------------------------------


def test_the_cohort_home_card_counts_resources_and_links_the_three_newest(
    share: Callable[..., Resource], home: Cohort, member_client: Client
) -> None:
    for n, days in enumerate([5, 4, 3, 2, 1]):
        _aged(share("link", title=f"Resource {n}"), days)
    card = _section(
        member_client.get(reverse("cohorts:detail", args=[home.slug])).content.decode(),
        "resources-card-h",
    )
    assert "5 resources shared in this cohort" in card
    assert re.findall(r">(Resource \d)</a>", card) == ["Resource 4", "Resource 3", "Resource 2"]
    assert reverse("resources:repertoire", args=[home.slug]) in card


def test_the_cohort_home_card_says_when_nothing_is_shared_yet(
    home: Cohort, member_client: Client
) -> None:
    card = _section(
        member_client.get(reverse("cohorts:detail", args=[home.slug])).content.decode(),
        "resources-card-h",
    )
    assert "No resources shared yet." in card


def test_recent_activity_shows_who_shared_what_and_not_what_is_deleted(
    share: Callable[..., Resource], home: Cohort, member: User, member_client: Client
) -> None:
    share("link", title="Asset map", by=member)
    gone = share("note", title="Withdrawn note", by=member)
    services.resource_delete(resource=gone, by=member)
    html = member_client.get(reverse("cohorts:detail", args=[home.slug])).content.decode()
    activity = re.search(r'<h2 id="activity-h">Recent activity</h2>(.*?)</section>', html, re.S)
    assert activity
    assert f"{member.display_name} shared “Asset map”" in activity.group(1)
    assert "Withdrawn note" not in activity.group(1)


def test_the_cohort_home_asks_no_more_queries_with_more_resources(
    share: Callable[..., Resource], home: Cohort, member_client: Client
) -> None:
    url = reverse("cohorts:detail", args=[home.slug])

    def measure() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert member_client.get(url).status_code == 200
        return len(queries)

    for n in range(3):
        share("link", title=f"Early {n}")
    member_client.get(url)
    few = measure()
    for n in range(20):
        share("note", title=f"Later {n}")
    assert measure() == few
