"""The one WebSocket endpoint, ``/ws/``: one socket per browser tab.

The consumer owns the transport rules of CONTRACT.md (authentication, frame size, rate
limits, JSON framing, ``ping``/``pong``, ``error`` answers). What a client may ask for beyond
that is registered by the apps above core through :func:`core.realtime.register_handler`,
so this module never imports a domain app.
"""

from __future__ import annotations

import json
import time
from typing import Any

from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from core.realtime import (
    ProtocolError,
    disconnect_hooks,
    encode,
    get_event_hook,
    get_handler,
    session_group,
    user_group,
)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FLOOD = 4429
CLOSE_TOO_BIG = 1009


class TokenBucket:
    """Per-connection rate limit: ``burst`` frames at once, refilled at ``rate`` per second."""

    def __init__(self, *, burst: int, rate: float) -> None:
        self.capacity = float(burst)
        self.tokens = float(burst)
        self.rate = rate
        self.stamp = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class RealtimeConsumer(AsyncWebsocketConsumer):
    groups: list[str] = []

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            # Accept first so the client receives the close code instead of an HTTP 403.
            await self.accept()
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        conf = settings.REALTIME
        self.user = user
        self.bucket = TokenBucket(burst=conf["RATE_BURST"], rate=conf["RATE_PER_SECOND"])
        self.refused_in_a_row = 0
        # Groups this socket has joined, so disconnect leaves every one of them.
        self.joined: set[str] = set()
        # Per-connection state that handlers may keep (e.g. subscribed threads).
        self.state: dict[str, Any] = {}
        # Join the groups before accepting: once a client sees the socket open, nothing
        # published to it (a logout, a notification) can slip past.
        await self.join(user_group(user.pk))
        session = self.scope.get("session")
        if session is not None and session.session_key:
            await self.join(session_group(session.session_key))
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if getattr(self, "user", None) is not None:
            for hook in disconnect_hooks():
                await hook(self)
        for group in list(getattr(self, "joined", ())):
            await self.leave(group)

    async def join(self, group: str) -> None:
        await self.channel_layer.group_add(group, self.channel_name)
        self.joined.add(group)

    async def leave(self, group: str) -> None:
        await self.channel_layer.group_discard(group, self.channel_name)
        self.joined.discard(group)

    async def send_json(self, payload: dict[str, Any]) -> None:
        await self.send(text_data=encode(payload))

    async def send_error(self, code: str, detail: str, **extra: Any) -> None:
        await self.send_json({"type": "error", "code": code, "detail": detail, **extra})

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if not hasattr(self, "bucket"):
            return  # an anonymous socket being closed: nothing it sends is read
        limit = settings.REALTIME["MAX_FRAME_BYTES"]
        size = len(text_data.encode()) if text_data is not None else len(bytes_data or b"")
        if size > limit:
            # daphne (see `manage.py serve`) enforces the same limit in the transport;
            # this covers any other ASGI server.
            await self.close(code=CLOSE_TOO_BIG)
            return
        if not self.bucket.take():
            self.refused_in_a_row += 1
            if self.refused_in_a_row >= settings.REALTIME["FLOOD_CLOSE_AFTER"]:
                await self.close(code=CLOSE_FLOOD)
            else:
                await self.send_error("rate_limited", "Too many messages; slow down.")
            return
        self.refused_in_a_row = 0
        if text_data is None:
            await self.send_error("bad_request", "Only JSON text frames are accepted.")
            return
        try:
            message = json.loads(text_data)
        except ValueError:
            await self.send_error("bad_request", "The frame is not valid JSON.")
            return
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            await self.send_error(
                "bad_request", 'A message must be a JSON object with a string "type".'
            )
            return
        kind = message["type"]
        if kind == "ping":
            await self.send_json({"type": "pong"})
            return
        handler = get_handler(kind)
        if handler is None:
            await self.send_error("bad_request", f"Unknown message type {kind!r}.")
            return
        try:
            await handler(self, message)
        except ProtocolError as exc:
            await self.send_error(exc.code, exc.detail)

    # --- channel layer events -------------------------------------------------------------
    async def realtime_event(self, event: dict[str, Any]) -> None:
        """Relay a frame that was encoded once by the publisher."""
        hook = get_event_hook(event.get("kind", ""))
        if hook is not None and not await hook(self, event):
            return
        await self.send(text_data=event["text"])

    async def realtime_close(self, event: dict[str, Any]) -> None:
        await self.close(code=event.get("code", 1000))
