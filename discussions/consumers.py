"""What a socket may ask of discussions: subscribe (with catch-up), unsubscribe, typing.
Presence (who is viewing a thread) is kept in the cache, so it holds across processes
when the cache is Redis.

Anyone who may read a thread may follow it; only those who may post in it send typing and
appear in presence. A catch-up replays at most REPLAY_LIMIT posts; past it the answer says
``"truncated": true`` and the client asks the reader to reload the page."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any, Literal

from channels.db import database_sync_to_async
from django.core.cache import cache
from django.http import Http404

from core.consumers import session_user
from core.models import first_row
from core.realtime import (
    ProtocolError,
    register_disconnect_hook,
    register_event_hook,
    register_handler,
    register_recheck_hook,
    relay_event,
    socket_db,
    thread_group,
)

REPLAY_LIMIT = 500
TYPING_EVERY_SECONDS = 3.0
PRESENCE_TTL = 120
FORBIDDEN = "You cannot follow this thread."  # the same for missing and not-allowed
CANNOT_POST = "Only people who may post in this thread can send typing."


def _thread_id(message: dict[str, Any]) -> int:
    value = message.get("thread")
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ProtocolError("bad_request", '"thread" must be a positive integer.')
    return value


def _active_user(user_id: int) -> Any:
    from accounts.models import User

    return first_row(User.objects.filter(pk=user_id, is_active=True))


def _rights(user_id: int, thread_ids: list[int]) -> tuple[str, dict[int, tuple[str, bool]]]:
    """The person's display name and, for each thread they may read now (a fresh look every
    time, so a removal takes effect at once), its cohort slug and whether they may post."""
    from discussions import permissions
    from discussions.models import Thread

    user = _active_user(user_id)
    if user is None:
        return "", {}
    rights = {}
    for thread in Thread.objects.select_related("cohort").filter(pk__in=thread_ids):
        if permissions.can_view_thread(user, thread):
            rights[thread.pk] = (thread.cohort.slug, permissions.can_post(user, thread))
    return user.display_name, rights


# What _open_thread answers when the socket's login session no longer holds.
SESSION_ENDED: Literal["session ended"] = "session ended"


@dataclass(frozen=True)
class Opening:
    """What a subscribe reads: where the thread is, who is asking and whether they may
    post, and what they missed (see :func:`_replay`)."""

    slug: str
    name: str
    may_post: bool
    posts: list[dict[str, Any]]
    newest: int
    truncated: bool


@socket_db
def _open_thread(
    session_key: str | None, user_id: int, thread_id: int, after: int
) -> Opening | Literal["session ended"] | None:
    """Everything a subscribe reads, in one call on the sockets' threads (one connection
    from the pool, one hop; a thousand sockets resubscribe at once when a server is lost):
    the login session must still hold (:data:`SESSION_ENDED` if not), the person may read
    the thread (None if not, the same for a thread that does not exist), and what they
    missed after ``after``."""
    from discussions import permissions

    user = session_user(session_key, user_id)
    if user is None:
        return SESSION_ENDED
    try:
        thread = permissions.access_thread(user, thread_id=thread_id, related=())
    except Http404:
        return None
    may_post = permissions.can_post(user, thread)
    posts, newest, truncated = _replay(thread, after)
    return Opening(thread.cohort.slug, user.display_name, may_post, posts, newest, truncated)


def _replay(thread: Any, after: int) -> tuple[list[dict[str, Any]], int, bool]:
    """Up to REPLAY_LIMIT posts after ``after``, the newest id the answer may claim, and
    whether more were left out. The newest is the thread's last post as read before the
    posts (or a later one among them): never one the client is not sent, since a post
    made after that read comes live."""
    from discussions.events import post_payloads
    from discussions.selectors import posts_after

    posts = list(posts_after(thread.pk, after).prefetch_related("reactions")[: REPLAY_LIMIT + 1])
    if len(posts) > REPLAY_LIMIT:
        posts = posts[:REPLAY_LIMIT]
        return post_payloads(posts), posts[-1].pk, True
    newest = max([p.pk for p in posts] + [thread.last_post_id or 0, after])
    return post_payloads(posts), newest, False


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
    frames when N sockets subscribe. A new subscriber is always told. Only people who may
    post appear: a reader who cannot (staff, alumni) is told, never listed."""
    listed = not leaving and thread_id in consumer.state.get("posting", set())
    entry = None if not listed else [consumer.user.pk, consumer.state["names"].get("me", ""),
                                     time.time() + PRESENCE_TTL]  # fmt: skip
    users, changed = await database_sync_to_async(_presence_update)(
        thread_id, consumer.channel_name, entry
    )
    text = json.dumps({"type": "presence", "thread": thread_id, "users": users})
    if changed:
        group = thread_group(thread_id)
        await consumer.channel_layer.group_send(group, relay_event(group, "presence", text))
    elif not leaving:
        await consumer.send(text_data=text)


async def subscribe(consumer: Any, message: dict[str, Any]) -> None:
    thread_id = _thread_id(message)
    after = message.get("after")
    if after is None:
        after = 0
    if isinstance(after, bool) or not isinstance(after, int) or after < 0:
        raise ProtocolError("bad_request", '"after" must be a post id or null.')
    threads: dict[int, str] = consumer.state.setdefault("threads", {})
    sent: dict[int, int] = consumer.state.setdefault("sent", {})
    if thread_id in threads:
        # Already following: every post since the first answer has come live, so there is
        # nothing to replay (a repeated subscribe costs no catch-up). The login session must
        # still hold (a password change elsewhere ends it): otherwise the socket closes with
        # the reconnect code.
        if not await consumer.check_session():
            return
        await consumer.send_json(
            {"type": "subscribed", "thread": thread_id, "last_post_id": max(sent[thread_id], after)}
        )
        return
    # Join first, then read: a removal from now on reaches this socket, and what was queued
    # for the group meanwhile is dropped if the answer is no (the socket leaves). A post made
    # in between comes live and in the replay, twice, never not at all (clients de-duplicate
    # by id).
    group = thread_group(thread_id)
    await consumer.join(group)
    opening = await _open_thread(consumer.session_key, consumer.user.pk, thread_id, after)
    if not isinstance(opening, Opening):
        await consumer.leave(group)
        if opening == SESSION_ENDED:
            await consumer.session_ended()
            return
        raise ProtocolError("forbidden", FORBIDDEN)
    consumer.state.setdefault("names", {})["me"] = opening.name
    posting: set[int] = consumer.state.setdefault("posting", set())
    if opening.may_post:
        posting.add(thread_id)
    threads[thread_id] = opening.slug
    # At most REPLAY_LIMIT posts; "subscribed" never claims a post the client was not sent,
    # and says when more were left out.
    for payload in opening.posts:
        await consumer.send_json({"type": "post.created", "post": payload})
    sent[thread_id] = opening.newest
    answer: dict[str, Any] = {
        "type": "subscribed",
        "thread": thread_id,
        "last_post_id": opening.newest,
    }
    if opening.truncated:
        answer["truncated"] = True
    await consumer.send_json(answer)
    await _announce_presence(consumer, thread_id)


async def _leave(consumer: Any, thread_id: int) -> None:
    consumer.state.get("threads", {}).pop(thread_id, None)
    consumer.state.get("sent", {}).pop(thread_id, None)
    consumer.state.get("posting", set()).discard(thread_id)
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
    if thread_id not in consumer.state.get("posting", set()):
        raise ProtocolError("forbidden", CANNOT_POST)
    last: dict[int, float] = consumer.state.setdefault("typing", {})
    now = time.monotonic()
    if now - last.get(thread_id, 0.0) < TYPING_EVERY_SECONDS:
        return  # quietly dropped: typing is a hint, not a message
    last[thread_id] = now
    group = thread_group(thread_id)
    text = json.dumps(
        {
            "type": "typing",
            "thread": thread_id,
            "user": {"id": consumer.user.pk, "name": consumer.state["names"]["me"]},
        }
    )
    await consumer.channel_layer.group_send(group, relay_event(group, "typing", text))


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


async def recheck(consumer: Any) -> None:
    """The person's rights changed (e.g. they lost the staff role): drop the threads they
    may no longer read, and stop typing and presence where they may no longer post."""
    threads: dict[int, str] = consumer.state.get("threads", {})
    if not threads:
        return
    _name, rights = await socket_db(_rights)(consumer.user.pk, list(threads))
    posting: set[int] = consumer.state.setdefault("posting", set())
    for thread_id in list(threads):
        if thread_id not in rights:
            await _leave(consumer, thread_id)
            await consumer.send_json(
                {"type": "error", "code": "forbidden", "detail": FORBIDDEN, "thread": thread_id}
            )
            continue
        may_post = rights[thread_id][1]
        if may_post != (thread_id in posting):
            if may_post:
                posting.add(thread_id)
                await _announce_presence(consumer, thread_id)
            else:
                posting.discard(thread_id)
                await _announce_presence(consumer, thread_id, leaving=True)


async def on_disconnect(consumer: Any) -> None:
    for thread_id in list(consumer.state.get("threads", {})):
        await _announce_presence(consumer, thread_id, leaving=True)


def register() -> None:
    register_handler("subscribe", subscribe)
    register_handler("unsubscribe", unsubscribe)
    register_handler("typing", typing)
    register_event_hook("membership.ended", membership_ended)
    register_recheck_hook(recheck)
    register_disconnect_hook(on_disconnect)
