"""What a socket may ask of discussions: subscribe (with catch-up), unsubscribe, typing.
Presence (who is viewing a thread) is kept in the cache, so it holds across processes
when the cache is Redis."""

from __future__ import annotations

import json
import time
from typing import Any

from channels.db import database_sync_to_async
from django.core.cache import cache

from core.realtime import (
    ProtocolError,
    register_disconnect_hook,
    register_event_hook,
    register_handler,
    thread_group,
)

REPLAY_LIMIT = 500
TYPING_EVERY_SECONDS = 3.0
PRESENCE_TTL = 120
FORBIDDEN = "You cannot follow this thread."  # the same for missing and not-allowed


def _thread_id(message: dict[str, Any]) -> int:
    value = message.get("thread")
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ProtocolError("bad_request", '"thread" must be a positive integer.')
    return value


@database_sync_to_async
def _authorize(user_id: int, thread_id: int) -> tuple[str, str] | None:
    """The thread's cohort slug if the person may read it now (a fresh look every time, so
    a removal takes effect at once), else None."""
    from accounts.models import User
    from discussions import permissions
    from discussions.models import Thread

    user = User.objects.filter(pk=user_id, is_active=True).first()
    thread = Thread.objects.select_related("cohort").filter(pk=thread_id).first()
    if user is None or thread is None or not permissions.can_view_thread(user, thread):
        return None
    return thread.cohort.slug, user.display_name


@database_sync_to_async
def _missed(thread_id: int, after: int) -> tuple[list[dict[str, Any]], int]:
    from discussions.events import post_payload
    from discussions.models import Post, Thread

    posts = list(
        Post.objects.filter(thread_id=thread_id, pk__gt=after)
        .select_related("author")
        .order_by("pk")[:REPLAY_LIMIT]
    )
    last = Thread.objects.filter(pk=thread_id).values_list("last_post_id", flat=True).first()
    newest = max([p.pk for p in posts] + [last or 0, after])
    return [post_payload(p) for p in posts], newest


def _presence_key(thread_id: int) -> str:
    return f"presence:thread:{thread_id}"


def _people(entries: dict[str, list[Any]]) -> list[dict[str, Any]]:
    users: dict[int, str] = {}
    for user_id, name, _expires in entries.values():
        users[user_id] = name
    return [{"id": uid, "name": name} for uid, name in sorted(users.items(), key=lambda x: x[1])]


def _presence_update(
    thread_id: int, channel: str, entry: list[Any] | None
) -> tuple[list[dict[str, Any]], bool]:
    """Record (or drop) this socket; returns who is viewing and whether that changed."""
    key = _presence_key(thread_id)
    now = time.time()
    current: dict[str, list[Any]] = cache.get(key) or {}
    current = {c: e for c, e in current.items() if e[2] > now}
    before = _people(current)
    if entry is None:
        current.pop(channel, None)
    else:
        current[channel] = entry
    cache.set(key, current, PRESENCE_TTL)
    users = _people(current)
    return users, users != before


async def _announce_presence(consumer: Any, thread_id: int, *, leaving: bool = False) -> None:
    """Tell the thread who is viewing it, only when the set of people changed (another tab
    of someone already there changes nothing): a broadcast per socket would make N x N
    frames when N sockets subscribe. A new subscriber is always told."""
    entry = None if leaving else [consumer.user.pk, consumer.state["names"].get("me", ""),
                                  time.time() + PRESENCE_TTL]  # fmt: skip
    users, changed = await database_sync_to_async(_presence_update)(
        thread_id, consumer.channel_name, entry
    )
    text = json.dumps({"type": "presence", "thread": thread_id, "users": users})
    if changed:
        await consumer.channel_layer.group_send(
            thread_group(thread_id), {"type": "realtime.event", "kind": "presence", "text": text}
        )
    elif not leaving:
        await consumer.send(text_data=text)


async def subscribe(consumer: Any, message: dict[str, Any]) -> None:
    thread_id = _thread_id(message)
    after = message.get("after")
    if after is None:
        after = 0
    if isinstance(after, bool) or not isinstance(after, int) or after < 0:
        raise ProtocolError("bad_request", '"after" must be a post id or null.')
    allowed = await _authorize(consumer.user.pk, thread_id)
    if allowed is None:
        raise ProtocolError("forbidden", FORBIDDEN)
    slug, name = allowed
    threads: dict[int, str] = consumer.state.setdefault("threads", {})
    consumer.state.setdefault("names", {})["me"] = name
    # Join first, then replay: a post made in between arrives twice, never not at all
    # (clients de-duplicate by id).
    await consumer.join(thread_group(thread_id))
    threads[thread_id] = slug
    # Replay in batches until nothing is left: "subscribed" must never claim a post the
    # client was not sent.
    cursor = after
    while True:
        posts, newest = await _missed(thread_id, cursor)
        for payload in posts:
            await consumer.send_json({"type": "post.created", "post": payload})
        if len(posts) < REPLAY_LIMIT:
            break
        cursor = posts[-1]["id"]
    await consumer.send_json({"type": "subscribed", "thread": thread_id, "last_post_id": newest})
    await _announce_presence(consumer, thread_id)


async def _leave(consumer: Any, thread_id: int) -> None:
    consumer.state.get("threads", {}).pop(thread_id, None)
    await consumer.leave(thread_group(thread_id))
    await _announce_presence(consumer, thread_id, leaving=True)


async def unsubscribe(consumer: Any, message: dict[str, Any]) -> None:
    thread_id = _thread_id(message)
    if thread_id in consumer.state.get("threads", {}):
        await _leave(consumer, thread_id)
    await consumer.send_json({"type": "unsubscribed", "thread": thread_id})


async def typing(consumer: Any, message: dict[str, Any]) -> None:
    thread_id = _thread_id(message)
    if thread_id not in consumer.state.get("threads", {}):
        raise ProtocolError("forbidden", FORBIDDEN)
    last: dict[int, float] = consumer.state.setdefault("typing", {})
    now = time.monotonic()
    if now - last.get(thread_id, 0.0) < TYPING_EVERY_SECONDS:
        return  # quietly dropped: typing is a hint, not a message
    last[thread_id] = now
    await consumer.channel_layer.group_send(
        thread_group(thread_id),
        {
            "type": "realtime.event",
            "kind": "typing",
            "text": json.dumps(
                {
                    "type": "typing",
                    "thread": thread_id,
                    "user": {"id": consumer.user.pk, "name": consumer.state["names"]["me"]},
                }
            ),
        },
    )


async def membership_ended(consumer: Any, event: dict[str, Any]) -> bool:
    """Removed from (or left) a cohort: drop every thread of it at once."""
    slug = json.loads(event["text"]).get("cohort")
    threads: dict[int, str] = consumer.state.get("threads", {})
    for thread_id in [t for t, s in threads.items() if s == slug]:
        await _leave(consumer, thread_id)
        await consumer.send_json(
            {"type": "error", "code": "forbidden", "detail": FORBIDDEN, "thread": thread_id}
        )
    return True


async def on_disconnect(consumer: Any) -> None:
    for thread_id in list(consumer.state.get("threads", {})):
        await _announce_presence(consumer, thread_id, leaving=True)


def register() -> None:
    register_handler("subscribe", subscribe)
    register_handler("unsubscribe", unsubscribe)
    register_handler("typing", typing)
    register_event_hook("membership.ended", membership_ended)
    register_disconnect_hook(on_disconnect)
