"""What the socket says about posts. Encoded once per event by core.realtime."""

from __future__ import annotations

import datetime
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from discussions.models import Post, Reaction
from discussions.selectors import ReactionButton


def _reaction_counts(post: Post) -> dict[str, int]:
    rows = getattr(post, "reaction_rows", None)
    if rows is None:
        rows = list(post.reactions.all())
    counts: dict[str, int] = {}
    for reaction in rows:
        counts[reaction.kind] = counts.get(reaction.kind, 0) + 1
    return counts


def post_html(post: Post) -> str:
    """The post partial (templates/discussions/_post.html) rendered once for everyone: the
    one shape of a post that arrives live. Nothing in it depends on who reads it (no CSRF
    token, no "mine", times in UTC); thread.js keeps the controls its viewer may use (their
    ``data-for``) and writes the times in the viewer's zone."""
    counts = _reaction_counts(post) if post.is_visible else {}
    post.reaction_buttons = [  # type: ignore[attr-defined]
        ReactionButton(
            kind=value,
            label=label.split(" ", 1)[1],
            emoji=label.split(" ", 1)[0],
            count=counts.get(value, 0),
            mine=False,
        )
        for value, label in Reaction.Kind.choices
    ]
    thread = post.thread
    with timezone.override(datetime.UTC):
        return render_to_string(
            "discussions/_post.html",
            {"post": post, "thread": thread, "cohort": thread.cohort, "live": True},
        ).strip()


def post_payload(post: Post) -> dict[str, Any]:
    """The post object of CONTRACT.md, plus ``html`` (see post_html). Removed posts keep
    their place but not their text."""
    visible = post.deleted_at is None and post.hidden_at is None
    return {
        "id": post.pk,
        "thread": post.thread_id,
        "author": {"id": post.author_id, "name": post.author_name},
        "body": post.body if visible else "",
        "body_html": post.body_html if visible else "",
        "reply_to": post.reply_to_id,
        "created_at": post.created_at,
        "edited_at": post.edited_at,
        "version": post.version,
        "deleted": post.deleted_at is not None,
        "hidden": post.hidden_at is not None,
        "html": post_html(post),
    }
