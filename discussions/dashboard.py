"""What discussions adds to the pages that gather across apps (registered in
``DiscussionsConfig.ready``): the "Unread threads" panel of the dashboard, the posts
column of the facilitators' participation view, on a cohort's home the Discussions
card and the posts in "Recent activity", a session page's threads, and the welcome
thread of a new member's "Start here" panel."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from cohorts.session_links import SessionLink
from core.registry import (
    ActivityItem,
    ActivitySource,
    CohortCard,
    Panel,
    ParticipationSource,
    StartHereItem,
)
from discussions import selectors
from discussions.models import Thread


def unread_threads(user: Any) -> dict[str, Any]:
    return {"unread_threads": selectors.unread_threads_for(user)}


UNREAD_PANEL = Panel(
    "discussions.unread", "discussions/_dashboard_unread.html", unread_threads, order=40
)

POSTS = ParticipationSource(
    key="posts",
    label="Posts",
    counts=selectors.post_counts_by_author,
    help="Posts written in the cohort's discussions (deleted or hidden ones not counted).",
)


def cohort_card(cohort: Any, user: Any) -> dict[str, Any]:
    """The latest threads with the viewer's unread marks (one query)."""
    threads = selectors.latest_threads(cohort, user)
    return {"cohort": cohort, "threads": threads}


COHORT_CARD = CohortCard(
    "discussions.latest", "discussions/_cohort_card.html", cohort_card, order=10
)


def post_activity(cohort: Any, user: Any, limit: int) -> list[ActivityItem]:
    items = []
    for post in selectors.recent_posts(cohort, limit=limit):
        thread = post.thread
        url = reverse("discussions:thread", args=[cohort.slug, thread.pk])
        items.append(
            ActivityItem(
                at=post.created_at,
                text=f"{post.author_name} posted in “{thread.title}”",
                url=f"{url}#post-{post.pk}",
                kind="post",
            )
        )
    return items


POST_ACTIVITY = ActivitySource("discussions.posts", post_activity)


def session_threads(session: Any, user: Any) -> list[SessionLink]:
    """The threads tied to a session (one query): its announcement and its prep thread.
    The viewer can already see the cohort's content, and every thread in it."""
    threads = Thread.objects.filter(session=session).select_related("cohort").order_by("pk")
    return [
        SessionLink(
            "Announcement" if thread.announcement else "Prep thread",
            thread.title,
            thread.get_absolute_url(),
        )
        for thread in threads
    ]


def welcome_link(cohort: Any, user: Any) -> dict[str, str] | None:
    thread = selectors.welcome_thread(cohort)
    if thread is None:
        return None
    return {
        "label": "Read the welcome thread",
        "title": thread.title,
        "url": thread.get_absolute_url(),
    }


WELCOME_THREAD = StartHereItem("discussions.welcome", welcome_link, order=10)
