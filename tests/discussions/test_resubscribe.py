"""A reader whose socket is lost (a server stopped or killed mid-conversation) reconnects and
subscribes again with ``after`` = the newest post id it saw, as static/js/thread.js does:
every post made meanwhile arrives once, in order, before ``subscribed``; live posts follow;
and across the two connections nothing is shown twice once frames are de-duplicated by id
(thread.js skips a post whose id is already on the page)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings

from accounts.models import User
from config.asgi import application
from discussions import consumers as discussion_consumers
from discussions.models import Thread
from discussions.services import post_create
from tests.discussions.test_consumer import (
    QUIET_TYPES,
    TIMEOUT,
    Connect,
    Socket,
    new_post,
    session_for,
)

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
async def connect() -> AsyncIterator[Connect]:
    """Signed-in sockets through the whole ASGI application; those a test killed are left
    alone at the end (there is nothing left to disconnect)."""
    opened: list[WebsocketCommunicator] = []

    async def open_socket(user: User | None) -> Socket:
        assert user is not None
        key = await session_for(user)
        headers = [
            (b"origin", b"http://testserver"),
            (b"host", b"testserver"),
            (b"cookie", f"{settings.SESSION_COOKIE_NAME}={key}".encode()),
        ]
        communicator = WebsocketCommunicator(application, "/ws/", headers=headers)
        connected, _ = await communicator.connect()
        assert connected
        opened.append(communicator)
        return Socket(communicator, key)

    yield open_socket
    for communicator in opened:
        if communicator.future.done():
            continue
        with contextlib.suppress(Exception):
            await communicator.disconnect()


class Page:
    """What thread.js keeps of a thread: the posts shown (by id, in id order) and the newest
    id seen, which is the ``after`` of the next subscribe."""

    def __init__(self, opening_id: int) -> None:
        self.shown: list[int] = [opening_id]
        self.last_seen = opening_id
        self.frames: list[int] = []  # every post.created id received, duplicates included

    def take(self, frame: dict[str, Any]) -> None:
        post_id = frame["post"]["id"]
        self.frames.append(post_id)
        self.last_seen = max(self.last_seen, post_id)
        if post_id not in self.shown:  # de-duplicate by id
            self.shown = sorted([*self.shown, post_id])

    async def read_rest(self, socket: Socket) -> None:
        """Take the posts still arriving on ``socket`` until it goes quiet."""
        while not await socket.communicator.receive_nothing(timeout=0.3):
            frame = await socket.communicator.receive_json_from(timeout=TIMEOUT)
            if frame["type"] in QUIET_TYPES:
                continue
            assert frame["type"] == "post.created", frame
            self.take(frame)

    async def subscribe(self, socket: Socket, thread: Thread) -> dict[str, Any]:
        frames = await socket.subscribe(thread.pk, after=self.last_seen)
        for frame in frames[:-1]:
            assert frame["type"] == "post.created", frame
            self.take(frame)
        answer = frames[-1]
        assert answer["type"] == "subscribed", answer
        return answer

    async def live(self, socket: Socket) -> int:
        frame = await socket.receive()
        assert frame["type"] == "post.created", frame
        self.take(frame)
        return int(frame["post"]["id"])


async def lost_after_the_opening(connect: Connect, thread: Thread, member: User) -> Page:
    """``member``'s page of ``thread`` (its one opening post), whose socket then died as under
    SIGKILL: the next subscribe is a resubscribe after a lost server."""
    opening = await database_sync_to_async(lambda: thread.posts.get())()
    page = Page(opening.pk)
    first = await connect(member)
    await page.subscribe(first, thread)
    await lose(first, "killed")
    return page


async def lose(socket: Socket, how: str) -> None:
    """End a connection the way a lost server does: ``dropped``, the connection breaks and
    the consumer's disconnect runs (a graceful stop); ``killed``, the consumer is gone without
    running anything (SIGKILL), leaving its channel in the thread's group."""
    communicator = socket.communicator
    if how == "dropped":
        await communicator.disconnect(code=1006)
        return
    communicator.future.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await communicator.future


@pytest.mark.parametrize("how", ["dropped", "killed"])
async def test_resubscribing_after_a_lost_connection_gets_each_missed_post_once_in_order(
    connect: Connect,
    thread: Thread,
    member: User,
    peer: User,
    how: str,
) -> None:
    opening = await database_sync_to_async(lambda: thread.posts.get())()
    page = Page(opening.pk)
    first = await connect(member)
    answer = await page.subscribe(first, thread)
    assert answer["last_post_id"] == opening.pk
    before = await new_post(thread, peer, "before the loss")
    assert await page.live(first) == before.pk

    await lose(first, how)
    missed = [await new_post(thread, peer, f"missed {i}") for i in range(4)]

    second = await connect(member)
    answer = await page.subscribe(second, thread)
    # The missed posts, once each and in order, then "subscribed" naming the newest.
    assert page.frames == [before.pk, *[p.pk for p in missed]]
    assert answer == {"type": "subscribed", "thread": thread.pk, "last_post_id": missed[-1].pk}
    assert page.last_seen == answer["last_post_id"]

    # Then live posts, once each.
    after = [await new_post(thread, peer, f"after {i}") for i in range(2)]
    for post in after:
        assert await page.live(second) == post.pk
    assert await second.quiet()

    everything = [opening.pk, before.pk, *[p.pk for p in missed], *[p.pk for p in after]]
    assert page.shown == everything
    assert len(page.frames) == len(set(page.frames))  # not even a duplicate on the wire


async def test_a_post_made_while_the_resubscribe_is_answered_is_shown_once(
    connect: Connect,
    thread: Thread,
    member: User,
    peer: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The server joins the thread's group before it reads what was missed, so a post made in
    between comes both live and in the replay: on the wire twice, on the page once."""
    page = await lost_after_the_opening(connect, thread, member)
    opening_id = page.shown[0]
    missed = await new_post(thread, peer, "missed")

    open_thread = discussion_consumers._open_thread
    raced: list[int] = []

    async def a_post_lands_first(*args: Any) -> Any:
        if not raced:
            raced.append((await new_post(thread, peer, "in the gap")).pk)
        return await open_thread(*args)

    monkeypatch.setattr(discussion_consumers, "_open_thread", a_post_lands_first)
    second = await connect(member)
    answer = await page.subscribe(second, thread)
    assert answer["last_post_id"] == raced[0]
    # Its live copy may be queued behind the answer: read what is left.
    await page.read_rest(second)

    assert page.shown == [opening_id, missed.pk, raced[0]]
    assert page.frames.count(missed.pk) == 1
    assert 1 <= page.frames.count(raced[0]) <= 2


async def test_a_post_made_between_the_threads_read_and_the_replay_is_claimed_only_when_sent(
    connect: Connect,
    thread: Thread,
    member: User,
    peer: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The subscribe's one database call reads the thread (its last post) before the posts it
    replays: a post made in between is among them, so "subscribed" may claim it, and it is on
    the page once whichever way it also comes."""
    page = await lost_after_the_opening(connect, thread, member)
    opening_id = page.shown[0]

    replay = discussion_consumers._replay
    raced: list[int] = []

    def a_post_lands_after_the_thread_was_read(read: Thread, after: int) -> Any:
        assert read.last_post_id == opening_id  # read before the new post
        raced.append(post_create(thread=thread.pk, author=peer, body="in between")[0].pk)
        return replay(read, after)

    monkeypatch.setattr(discussion_consumers, "_replay", a_post_lands_after_the_thread_was_read)
    second = await connect(member)
    answer = await page.subscribe(second, thread)
    assert answer["last_post_id"] == raced[0]
    await page.read_rest(second)
    assert page.shown == [opening_id, raced[0]]
    assert 1 <= page.frames.count(raced[0]) <= 2
