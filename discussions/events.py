"""What the socket says about posts. Encoded once per event by core.realtime."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from discussions import post_cache
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


def _with_buttons(post: Post) -> Post:
    """The post with the reaction chips the live partial shows (counts only)."""
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
    return post


def _render_live(post: Post) -> str:
    thread = post.thread
    with timezone.override(datetime.UTC):
        return render_to_string(
            "discussions/_post.html",
            {"post": post, "thread": thread, "cohort": thread.cohort, "live": True},
        ).strip()


def post_htmls(posts: Sequence[Post], *, new: bool = False) -> list[str]:
    """The post partial (templates/discussions/_post.html) rendered once for everyone: the
    one shape of a post that arrives live. Nothing in it depends on who reads it (no CSRF
    token, no "mine", times in UTC); thread.js keeps the controls its viewer may use (their
    ``data-for``) and writes the times in the viewer's zone. Built once per version of a
    post and kept in the post cache (discussions/post_cache.py), so a catch-up replaying
    the same posts to many sockets renders each of them once."""
    return post_cache.live_fragments([_with_buttons(p) for p in posts], _render_live, new=new)


def post_html(post: Post) -> str:
    """:func:`post_htmls` of one post."""
    return post_htmls([post])[0]


def post_payload(post: Post, *, html: str | None = None, new: bool = False) -> dict[str, Any]:
    """The post object of CONTRACT.md, plus ``html`` (see post_htmls). Removed posts keep
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
        "html": html if html is not None else post_htmls([post], new=new)[0],
    }


def post_payloads(posts: Sequence[Post]) -> list[dict[str, Any]]:
    """:func:`post_payload` of many posts, their html looked up in the cache at once."""
    htmls = post_htmls(posts) if posts else []
    return [post_payload(p, html=h) for p, h in zip(posts, htmls, strict=True)]
