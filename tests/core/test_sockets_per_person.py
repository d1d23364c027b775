"""One person holds at most REALTIME["MAX_SOCKETS_PER_USER"] sockets (counted in the shared
cache, so across servers): the next one closes the oldest with 4409."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import pytest
from channels.testing import WebsocketCommunicator
from django.conf import settings

from config.asgi import application
from core.consumers import CLOSE_TOO_MANY
from tests.core.test_consumer import _session_for

pytestmark = [pytest.mark.django_db(transaction=True)]


async def _open(key: str) -> WebsocketCommunicator:
    headers = [
        (b"origin", b"http://testserver"),
        (b"host", b"testserver"),
        (b"cookie", f"{settings.SESSION_COOKIE_NAME}={key}".encode()),
    ]
    communicator = WebsocketCommunicator(application, "/ws/", headers=headers)
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def test_the_21st_socket_of_one_person_closes_the_oldest_with_4409(
    member: Any, outsider: Any
) -> None:
    assert settings.REALTIME["MAX_SOCKETS_PER_USER"] == 20
    key = await _session_for(member)
    sockets = [await _open(key) for _ in range(20)]
    someone_else = await _open(await _session_for(outsider))
    try:
        for socket in sockets:
            assert await socket.receive_nothing(timeout=0.01)
        newest = await _open(key)
        sockets.append(newest)
        assert await sockets[0].receive_output(timeout=2) == {
            "type": "websocket.close",
            "code": CLOSE_TOO_MANY,
        }
        for socket in [*sockets[1:], someone_else]:
            await socket.send_json_to({"type": "ping"})
            assert await socket.receive_json_from(timeout=2) == {"type": "pong"}
    finally:
        for socket in [*sockets, someone_else]:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await socket.disconnect()


async def test_closed_sockets_no_longer_count(member: Any, settings: Any) -> None:
    settings.REALTIME = {**settings.REALTIME, "MAX_SOCKETS_PER_USER": 2}
    key = await _session_for(member)
    first, second = await _open(key), await _open(key)
    await first.disconnect()
    third = await _open(key)
    try:
        for socket in (second, third):
            await socket.send_json_to({"type": "ping"})
            assert await socket.receive_json_from(timeout=2) == {"type": "pong"}
    finally:
        for socket in (second, third):
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await socket.disconnect()
