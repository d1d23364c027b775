"""What the socket says about posts. Encoded once per event by core.realtime."""

from __future__ import annotations

from typing import Any

from discussions.models import Post


def post_payload(post: Post) -> dict[str, Any]:
    """The post object of CONTRACT.md. Removed posts keep their place but not their text."""
    visible = post.deleted_at is None and post.hidden_at is None
    return {
        "id": post.pk,
        "thread": post.thread_id,
        "author": {"id": post.author_id, "name": post.author.display_name},
        "body": post.body if visible else "",
        "body_html": post.body_html if visible else "",
        "reply_to": post.reply_to_id,
        "created_at": post.created_at,
        "edited_at": post.edited_at,
        "version": post.version,
        "deleted": post.deleted_at is not None,
        "hidden": post.hidden_at is not None,
    }
