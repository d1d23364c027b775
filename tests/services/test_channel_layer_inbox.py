"""A process's inbox is read in batches (core.channel_layer.InboxRedisChannelLayer): what is
waiting comes out in one read and reaches every socket in order, and a socket closed while a
read waits loses nothing for the others."""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator

import pytest
from django.conf import settings
from redis.asyncio import Redis

from core import channel_layer
from core.channel_layer import InboxRedisChannelLayer
from tests.services.servers import require_services

pytestmark = [pytest.mark.services]


@pytest.fixture
async def layer() -> AsyncIterator[InboxRedisChannelLayer]:
    require_services()
    assert (
        settings.CHANNEL_LAYERS["default"]["BACKEND"] == "core.channel_layer.InboxRedisChannelLayer"
    )
    made = InboxRedisChannelLayer(**settings.CHANNEL_LAYERS["default"]["CONFIG"])
    yield made
    await made.close_pools()


async def test_a_backlog_is_read_in_batches_and_reaches_each_socket_in_order(
    layer: InboxRedisChannelLayer, monkeypatch: pytest.MonkeyPatch
) -> None:
    sockets = [await layer.new_channel() for _ in range(3)]
    group = "test.inbox.backlog"
    for name in sockets[:2]:
        await layer.group_add(group, name)
    sent = 450
    for i in range(sent):
        # Group messages (one inbox entry for the two sockets in the group) and messages
        # to the third socket alone, interleaved.
        await layer.group_send(group, {"type": "numbered", "i": i})
        await layer.send(sockets[2], {"type": "numbered", "i": i})
    reads = []
    read = InboxRedisChannelLayer._read_inbox

    async def counted(self: InboxRedisChannelLayer, channel: str) -> None:
        reads.append(channel)
        await read(self, channel)

    monkeypatch.setattr(InboxRedisChannelLayer, "_read_inbox", counted)
    got = {name: [] for name in sockets}
    for name in sockets:
        for _ in range(sent):
            message = await asyncio.wait_for(layer.receive(name), timeout=5)
            got[name].append(message["i"])
    for name in sockets:
        assert got[name] == list(range(sent))
    # 900 inbox entries (450 group messages, 450 direct ones), INBOX_BATCH at a time.
    assert len(reads) == math.ceil(2 * sent / channel_layer.INBOX_BATCH)
    for name in sockets[:2]:
        await layer.group_discard(group, name)


async def test_a_socket_closed_while_the_read_waits_loses_nothing_for_the_others(
    layer: InboxRedisChannelLayer, monkeypatch: pytest.MonkeyPatch
) -> None:
    leaving, staying = await layer.new_channel(), await layer.new_channel()
    await layer.send(staying, {"type": "kept"})
    # The read takes the message out of Redis, and its answer is slow to come back (a busy
    # event loop): the receive that started it is cancelled meanwhile (its socket closed).
    popped = asyncio.Event()
    zpopmin = Redis.zpopmin

    async def slow(self: Redis, *args: object, **kwargs: object) -> object:
        answer = await zpopmin(self, *args, **kwargs)
        popped.set()
        await asyncio.sleep(0.3)
        return answer

    monkeypatch.setattr(Redis, "zpopmin", slow)
    waiter = asyncio.ensure_future(layer.receive(leaving))
    await asyncio.wait_for(popped.wait(), timeout=5)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    # The message, already out of Redis, still reaches the socket it was for.
    message = await asyncio.wait_for(layer.receive(staying), timeout=10)
    assert message == {"type": "kept"}
