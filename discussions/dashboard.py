"""What discussions adds to the pages that gather across apps (registered in
``DiscussionsConfig.ready``): the "Unread threads" panel of the dashboard, the posts
column of the facilitators' participation view and the welcome thread of a new member's
"Start here" panel."""

from __future__ import annotations

from typing import Any

from core.registry import Panel, ParticipationSource, StartHereItem
from discussions import selectors


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
