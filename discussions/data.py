"""What the discussions app holds about a person, for "My data" and account deletion.

Posts and threads are part of a shared conversation: they stay after the account is
deleted, shown as written by a former member. Reactions, read state, follows and mentions
of the person go with the account."""

from __future__ import annotations

from typing import Any

from core.data import DELETED, KEPT, AddFile, DataLine, DataSource
from discussions.models import Post, Reaction, Thread, ThreadSubscription


def collect(user: Any, add_file: AddFile) -> dict[str, Any]:
    posts = (
        Post.objects.filter(author=user)
        .order_by("pk")
        .values(
            "id",
            "thread_id",
            "thread__title",
            "thread__cohort__slug",
            "reply_to_id",
            "body",
            "version",
            "created_at",
            "edited_at",
            "deleted_at",
            "hidden_at",
        )
    )
    return {
        "posts": list(posts.iterator(chunk_size=500)),
        "threads_started": list(
            Thread.objects.filter(created_by=user)
            .order_by("pk")
            .values("id", "title", "cohort__slug", "created_at")
        ),
        "reactions": list(
            Reaction.objects.filter(user=user)
            .order_by("pk")
            .values("post_id", "kind", "created_at")
        ),
        "thread_subscriptions": list(
            ThreadSubscription.objects.filter(user=user)
            .order_by("pk")
            .values("thread_id", "thread__title", "level")
        ),
    }


def summarize(user: Any) -> list[DataLine]:
    return [
        DataLine(
            "Discussion posts (they stay in their threads, by “a former member”)",
            Post.objects.filter(author=user).count(),
            KEPT,
        ),
        DataLine(
            "Threads you started (they stay, by “a former member”)",
            Thread.objects.filter(created_by=user).count(),
            KEPT,
        ),
        DataLine("Reactions to posts", Reaction.objects.filter(user=user).count(), DELETED),
        DataLine(
            "Threads you follow or muted",
            ThreadSubscription.objects.filter(user=user).count(),
            DELETED,
        ),
    ]


def erase(user: Any) -> list[Any]:
    # The idempotency keys mean nothing without their author.
    Post.objects.filter(author=user, client_id__isnull=False).update(client_id=None)
    return []


SOURCE = DataSource("discussions", "Discussions", collect, summarize, erase)
