"""A subscribe costs bounded work: the catch-up replays at most REPLAY_LIMIT posts (and says
when it stopped short), and a repeated subscribe to a followed thread replays nothing."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async

from accounts.models import User
from discussions import consumers as discussion_consumers
from discussions.models import Post, Thread
from tests.discussions import test_consumer as sockets
from tests.discussions.test_consumer import Connect, new_post

connect = sockets.connect  # the socket fixture, used by name

pytestmark = [pytest.mark.django_db(transaction=True)]


async def test_repeated_subscribes_to_a_thread_replay_its_posts_once(
    connect: Connect, thread: Thread, member: User, peer: User
):
    for i in range(9):
        await new_post(thread, peer, f"post {i}")  # 10 posts with the opening one
    socket = await connect(member)
    frames: list[dict[str, Any]] = []
    for _ in range(25):
        frames += await socket.subscribe(thread.pk, after=0)
    assert [f["type"] for f in frames].count("post.created") == 10
    answers = [f for f in frames if f["type"] == "subscribed"]
    assert len(answers) == 25
    newest = answers[0]["last_post_id"]
    expected = {"type": "subscribed", "thread": thread.pk, "last_post_id": newest}
    assert all(answer == expected for answer in answers)


async def test_repeated_subscribe_still_gets_live_posts_once(
    connect: Connect, thread: Thread, member: User, peer: User
):
    socket = await connect(member)
    await socket.subscribe(thread.pk, after=None)
    await socket.subscribe(thread.pk, after=None)
    post = await new_post(thread, peer, "live")
    frame = await socket.receive()
    assert (frame["type"], frame["post"]["id"]) == ("post.created", post.pk)
    assert await socket.quiet()


async def test_thread_with_600_missed_posts_replays_500_and_asks_for_a_reload(
    connect: Connect, thread: Thread, member: User, peer: User
):
    @database_sync_to_async
    def six_hundred_posts() -> list[int]:
        Post.objects.bulk_create(
            Post(thread=thread, author=peer, body=f"p{i}", body_html=f"<p>p{i}</p>")
            for i in range(600)
        )
        return list(thread.posts.order_by("pk").values_list("pk", flat=True))

    ids = await six_hundred_posts()
    opening = ids[0]
    socket = await connect(member)
    frames = await socket.subscribe(thread.pk, after=opening)
    replayed = [f["post"]["id"] for f in frames if f["type"] == "post.created"]
    assert discussion_consumers.REPLAY_LIMIT == 500
    assert replayed == ids[1:501]
    assert frames[-1] == {
        "type": "subscribed",
        "thread": thread.pk,
        "last_post_id": ids[500],
        "truncated": True,
    }
