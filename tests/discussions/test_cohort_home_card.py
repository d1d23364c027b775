"""The cohort home's Discussions card and "Recent activity", which discussions adds through
the registries in core.registry (cohorts does not import discussions)."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from cohorts import services as cohort_services
from cohorts.models import Cohort
from core.registry import cohort_cards
from discussions.services import post_create, post_hide, thread_create, thread_mark_read


def _home(client: Client, cohort: Cohort) -> str:
    return client.get(reverse("cohorts:detail", args=[cohort.slug])).content.decode()


def _card(page: str) -> str:
    found = re.search(r'<section aria-labelledby="discussions-h".*?</section>', page, re.S)
    assert found, "no Discussions card"
    return found.group(0)


def test_discussions_registers_its_card_for_the_cohort_home() -> None:
    assert "discussions.latest" in [card.name for card in cohort_cards()]


def test_the_card_lists_the_latest_threads_newest_first_with_unread_marks(
    cohort: Cohort, member: User, peer: User, client_for: Callable[..., Client]
) -> None:
    read = thread_create(cohort=cohort, author=peer, title="Read already", body="x")
    thread_mark_read(thread=read, user=member)
    unread = thread_create(cohort=cohort, author=peer, title="Fresh news", body="x")
    post_create(thread=unread, author=peer, body="and more")
    card = _card(_home(client_for(member), cohort))
    assert card.index("Fresh news") < card.index("Read already")
    marked = r"<strong>Fresh news</strong></a> <span class=\"badge badge--unread\">2<"
    assert re.search(marked, card)
    assert "<strong>Read already</strong>" not in card
    assert reverse("discussions:thread", args=[cohort.slug, read.pk]) in card


def test_recent_activity_shows_posts_and_members_in_order_without_state_changes(
    cohort: Cohort,
    member: User,
    peer: User,
    facilitator: User,
    client_for: Callable[..., Client],
) -> None:
    thread = thread_create(cohort=cohort, author=peer, title="Partners", body="first")
    post_create(thread=thread, author=member, body="second")
    hidden, _ = post_create(thread=thread, author=peer, body="rude")
    post_hide(post=hidden, by=facilitator)
    page = _home(client_for(member), cohort)
    found = re.search(r'<h2 id="activity-h">Recent activity</h2>(.*?)</section>', page, re.S)
    assert found
    activity = found.group(1)
    items = re.findall(r"<li[^>]*>(.*?)</li>", activity, re.S)
    texts = [re.sub(r"<[^>]+>", "", item).split("  ")[0].strip() for item in items]
    # Newest first; the hidden post is left out.
    assert texts[0].startswith("Mei Member posted in “Partners”")
    assert texts[1].startswith("Pat Peer posted in “Partners”")
    # Hidden posts and administrative state changes are not shown.
    assert sum("posted in" in t for t in texts) == 2
    for word in ("Became", "Proposed", "state"):
        assert word not in activity, word


def test_recent_activity_leaves_out_a_cohort_becoming_active(
    cohort: Cohort, member: User, facilitator: User, client_for: Callable[..., Client]
) -> None:
    if cohort.state != Cohort.State.ACTIVE:
        cohort_services.cohort_activate(cohort=cohort, by=facilitator)
    activity = _home(client_for(member), cohort).split('id="activity-h"', 1)[1]
    activity = activity.split("</section>", 1)[0]
    assert "active" not in activity.lower()


def test_the_cohort_home_query_count_does_not_grow_with_threads_and_posts(
    cohort: Cohort, member: User, peer: User, client_for: Callable[..., Client]
) -> None:
    client = client_for(member)

    def grow(n: int) -> None:
        for i in range(n):
            thread = thread_create(cohort=cohort, author=peer, title=f"T{i}", body="x")
            post_create(thread=thread, author=member, body="reply")

    grow(2)
    _home(client, cohort)
    with CaptureQueriesContext(connection) as few:
        _home(client, cohort)
    grow(20)
    with CaptureQueriesContext(connection) as many:
        page = _home(client, cohort)
    assert "T19" in page
    assert len(many) <= len(few)
