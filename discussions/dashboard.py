"""What discussions adds to the pages that gather across apps (registered in
``DiscussionsConfig.ready``): the "Unread threads" panel of the dashboard, the posts
column of the facilitators' participation view and a session page's threads."""

from __future__ import annotations

from typing import Any

from cohorts.session_links import SessionLink
from core.registry import Panel, ParticipationSource
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
