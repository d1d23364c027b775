"""The one WebSocket endpoint, ``/ws/``: one socket per browser tab.

The consumer owns the transport rules of CONTRACT.md (authentication, frame size, rate
limits, JSON framing, ``ping``/``pong``, ``error`` answers). What a client may ask for beyond
that is registered by the apps above core through :func:`core.realtime.register_handler`,
so this module never imports a domain app.
"""

from __future__ import annotations

import json
import time
from importlib import import_module
from typing import Any

from channels.auth import AuthMiddleware, get_user
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.sessions import CookieMiddleware, SessionMiddleware
from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.utils.crypto import constant_time_compare

from core.http import cookies_without_nul
from core.models import first_row
from core.realtime import (
    CLOSE_TYPE,
    ProtocolError,
    disconnect_hooks,
    encode,
    get_event_hook,
    get_handler,
    recheck_hooks,
    session_group,
    socket_db,
    sockets_closed,
    sockets_opened,
    user_group,
)

# Close codes (see README, "Real time"). The browser client stops on 4401 and 4409 and
# reconnects on every other code (after 10 s on 4429, after 0.5-3 s on 1012).
CLOSE_UNAUTHENTICATED = 4401  # not signed in: the client stops and says so
CLOSE_REAUTHENTICATE = 4001  # the login session changed or ended: reconnect to find out
CLOSE_TOO_MANY = 4409  # the person opened more sockets than allowed: the oldest closes
CLOSE_FLOOD = 4429
CLOSE_TOO_BIG = 1009
# The server is stopping gracefully (a deploy, `manage.py serve` on SIGTERM): sent by the
# server process itself, not by this consumer. The client reconnects after a spread-out delay,
# reaching another process, and catches up with `after`.
CLOSE_RESTART = 1012


def session_user(session_key: str | None, user_id: int) -> Any:
    """The person the login session a socket was opened with still signs in, or None: the
    session still exists, names ``user_id``, carries the hash of their current password,
    and the person is still active (the checks Django makes on every HTTP request). Apps
    whose socket checks need the person too read it here, in the same call."""
    if not session_key:
        return None
    engine = import_module(settings.SESSION_ENGINE)
    data = engine.SessionStore(session_key=session_key).load()
    if not data or str(data.get(SESSION_KEY)) != str(user_id):
        return None
    user = first_row(get_user_model().objects.filter(pk=user_id, is_active=True))
    if user is None:
        return None
    stored = data.get(HASH_SESSION_KEY)
    if stored and constant_time_compare(stored, user.get_session_auth_hash()):
        return user
    return None


def session_is_valid(session_key: str | None, user_id: int) -> bool:
    """Whether the login session a socket was opened with still holds (:func:`session_user`)."""
    return session_user(session_key, user_id) is not None


class SocketAuthMiddleware(AuthMiddleware):
    """channels' AuthMiddleware, reading the session and the person in the sockets' thread
    pool (core.realtime.socket_db) instead of channels' one thread per process."""

    async def resolve_scope(self, scope: Any) -> None:
        scope["user"]._wrapped = await socket_db(get_user.func)(scope)


class NulCookieFilter:
    """Drops the handshake's cookies that hold a NUL character (``cookies_without_nul``), so
    such a session cookie is an anonymous socket rather than a failed database lookup."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: Any, receive: Any, send: Any) -> Any:
        cookies = scope.get("cookies") or {}
        kept = cookies_without_nul(cookies)
        if len(kept) != len(cookies):
            scope = {**scope, "cookies": kept}
        return await self.inner(scope, receive, send)


def socket_auth_stack(inner: Any) -> Any:
    """channels' AuthMiddlewareStack with :class:`SocketAuthMiddleware`, and cookies holding
    a NUL character dropped before the session is read."""
    return CookieMiddleware(NulCookieFilter(SessionMiddleware(SocketAuthMiddleware(inner))))


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
        # Set once the server has decided to close this socket: nothing more is read or sent.
        self.ending = False
        # Groups this socket has joined, so disconnect leaves every one of them.
        self.joined: set[str] = set()
        # Per-connection state that handlers may keep (e.g. subscribed threads).
        self.state: dict[str, Any] = {}
        # Join the groups before accepting: once a client sees the socket open, nothing
        # published to it (a logout, a notification) can slip past.
        await self.join(user_group(user.pk))
        session = self.scope.get("session")
        self.session_key: str | None = getattr(session, "session_key", None)
        if self.session_key:
            await self.join(session_group(self.session_key))
        # Past the per-person cap the oldest sockets close (on whichever server holds them).
        evicted = await database_sync_to_async(sockets_opened)(
            user.pk, self.channel_name, limit=conf["MAX_SOCKETS_PER_USER"]
        )
        for channel in evicted:
            await self.channel_layer.send(
                channel, {"type": CLOSE_TYPE, "code": CLOSE_TOO_MANY, "reason": "too many"}
            )
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if getattr(self, "user", None) is not None:
            for hook in disconnect_hooks():
                await hook(self)
            await database_sync_to_async(sockets_closed)(self.user.pk, self.channel_name)
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

    async def end(self, code: int) -> None:
        """Close from the server side; frames and events still queued are ignored."""
        self.ending = True
        await self.close(code=code)

    async def check_session(self) -> bool:
        """True if the login session still holds; otherwise close with the reconnect code
        (the client reconnects, and an ended session then gets 4401)."""
        if await socket_db(session_is_valid)(self.session_key, self.user.pk):
            return True
        await self.session_ended()
        return False

    async def session_ended(self) -> None:
        """The login session no longer holds (found by :meth:`check_session`, or by an app
        that read :func:`session_user` in a check of its own): close with the reconnect code."""
        await self.end(CLOSE_REAUTHENTICATE)

    async def send_error(self, code: str, detail: str, **extra: Any) -> None:
        await self.send_json({"type": "error", "code": code, "detail": detail, **extra})

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if not hasattr(self, "bucket") or self.ending:
            return  # a socket being closed (e.g. anonymous): nothing it sends is read
        limit = settings.REALTIME["MAX_FRAME_BYTES"]
        size = len(text_data.encode()) if text_data is not None else len(bytes_data or b"")
        if size > limit:
            # daphne (see `manage.py serve`) enforces the same limit in the transport;
            # this covers any other ASGI server.
            await self.end(CLOSE_TOO_BIG)
            return
        if not self.bucket.take():
            self.refused_in_a_row += 1
            if self.refused_in_a_row >= settings.REALTIME["FLOOD_CLOSE_AFTER"]:
                await self.end(CLOSE_FLOOD)
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
        if getattr(self, "ending", False):
            return
        group = event.get("group")
        if group is not None and group not in self.joined:
            return  # queued before this socket left the group (e.g. a refused subscribe)
        hook = get_event_hook(event.get("kind", ""))
        if hook is not None and not await hook(self, event):
            return
        await self.send(text_data=event["text"])

    async def realtime_close(self, event: dict[str, Any]) -> None:
        if getattr(self, "ending", False):
            return
        await self.end(event.get("code", 1000))

    async def realtime_recheck(self, event: dict[str, Any]) -> None:
        """The person's credentials or roles changed somewhere: check that this socket's
        session still holds, then let the apps re-authorize what it follows."""
        if getattr(self, "ending", False) or getattr(self, "user", None) is None:
            return
        if not await self.check_session():
            return
        for hook in recheck_hooks():
            await hook(self)
