"""Sending to the Redis channel layer from sync code that has no event loop of its own (the
task worker, a management command): every send goes through one long-lived loop, so its
Redis connection is opened once and reused, and sends keep their order."""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from redis.asyncio.connection import Connection

from core.realtime import publish_now
from tests.services.servers import require_services

pytestmark = [pytest.mark.services]

SENDS = 30
# Group messages waiting for two sockets of one process (one inbox entry each, however
# many of its sockets a message is for).
BACKLOG = 2500


def test_sends_from_a_thread_without_a_loop_reuse_one_connection_and_keep_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    require_services()
    layer = get_channel_layer()
    group = f"test.send.{uuid.uuid4().hex}"
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(group, channel)
    opened: list[int] = []
    open_socket = Connection._connect  # opens a TCP connection to Redis (and only that)

    async def counted(self: Any) -> Any:
        opened.append(1)
        return await open_socket(self)

    monkeypatch.setattr(Connection, "_connect", counted)

    def send_all() -> None:  # as the task worker does: a thread with no loop above it
        for i in range(SENDS):
            publish_now(group, {"type": "numbered", "i": i})

    sender = threading.Thread(target=send_all)
    sender.start()
    sender.join(timeout=30)
    assert not sender.is_alive()
    # One connection at most (none if the process's send loop already had one), not one
    # per send as a new loop per call would need.
    assert len(opened) <= 1, f"{len(opened)} Redis connections opened for {SENDS} sends"
    monkeypatch.undo()
    received = [
        json.loads(async_to_sync(layer.receive)(channel)["text"])["i"] for _ in range(SENDS)
    ]
    assert received == list(range(SENDS))
    async_to_sync(layer.group_discard)(group, channel)


def test_a_process_inbox_holds_a_backlog_of_thousands_of_messages() -> None:
    """channels_redis keeps one inbox per process for all its sockets, and its capacity
    bounds that inbox (one entry per message sent to a group, for all of the process's
    sockets in it): a busy process that falls a few thousand messages behind must get them
    late, not lose them."""
    require_services()
    layer = get_channel_layer()
    group = f"test.backlog.{uuid.uuid4().hex}"
    channels = [async_to_sync(layer.new_channel)() for _ in range(2)]
    for channel in channels:
        async_to_sync(layer.group_add)(group, channel)
    for i in range(BACKLOG):
        publish_now(group, {"type": "numbered", "i": i})

    async def drain() -> list[tuple[str, int]]:
        got = []
        for channel in channels:
            for _ in range(BACKLOG):
                try:
                    message = await asyncio.wait_for(layer.receive(channel), timeout=5)
                except TimeoutError:
                    break  # nothing more is coming: the rest was dropped
                got.append((channel, json.loads(message["text"])["i"]))
        return got

    got = async_to_sync(drain)()
    for channel in channels:
        assert [i for c, i in got if c == channel] == list(range(BACKLOG))
        async_to_sync(layer.group_discard)(group, channel)
