"""Publishing to WebSocket clients.

Services never talk to the channel layer directly: they call :func:`publish_on_commit`,
which waits for the surrounding transaction to commit (so no client ever hears about a row
that was rolled back) and encodes the event once, however many sockets receive it.

Group names come from the functions below, never from string literals elsewhere.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ParamSpec, TypeVar

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

logger = logging.getLogger(__name__)

# The consumer method that relays a pre-encoded frame (see RealtimeConsumer.realtime_event).
RELAY_TYPE = "realtime.event"
# The consumer method that closes sockets belonging to an ended session.
CLOSE_TYPE = "realtime.close"
# The consumer method that re-checks a socket's session and what it follows (after a
# password change, deactivation, loss of a platform role...).
RECHECK_TYPE = "realtime.recheck"


def user_group(user_id: int) -> str:
    """Every socket of one user: personal notifications."""
    return f"user.{user_id}"


def session_group(session_key: str) -> str:
    """Every socket opened with one login session: closed at logout."""
    return f"session.{session_key}"


def thread_group(thread_id: int) -> str:
    return f"thread.{thread_id}"


def encode(payload: dict[str, Any]) -> str:
    return json.dumps(payload, cls=DjangoJSONEncoder, separators=(",", ":"))


def relay_event(group: str, kind: str, text: str) -> dict[str, Any]:
    """The channel-layer message that relays ``text`` to the sockets of ``group``.

    "kind" lets a consumer react to an event (see register_event_hook) without decoding;
    "group" lets it drop what was queued for a group it has since left.
    """
    return {"type": RELAY_TYPE, "text": text, "kind": kind, "group": group}


def _relay(group: str, payload: dict[str, Any], text: str) -> dict[str, Any]:
    return relay_event(group, payload.get("type", ""), text)


# How long a send to the channel layer may block its caller before it is given up (and
# logged): a Redis that does not answer must not hold a request or a task for ever.
SEND_TIMEOUT_SECONDS = 10.0


class _SendLoop:
    """One event loop in a daemon thread, kept for the life of the process, through which
    sync code (a request's thread, a background task) sends to a Redis channel layer.

    ``async_to_sync`` would do where the code runs under daphne (it hops to the server's
    loop), but where no loop is above it (the task worker, a management command) it starts a
    new loop in a new thread for every call, and channels_redis opens and closes a Redis
    connection per loop: a task that tells twelve followers paid twelve connections. Here
    the connections of the one loop are kept and reused, and the server's own loop, busy
    with the sockets, is left alone. Sends from one thread keep their order (each waits for
    the last). The in-memory layer (one process, no Redis) belongs to the loop that reads
    it, so it keeps ``async_to_sync``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pid = 0

    def _running(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None or self._pid != os.getpid():  # none yet, or forked
                loop = asyncio.new_event_loop()
                threading.Thread(
                    target=loop.run_forever, name="channel-layer-send", daemon=True
                ).start()
                self._loop, self._pid = loop, os.getpid()
            return self._loop

    def run(self, make: Callable[[], Coroutine[Any, Any, None]]) -> None:
        future = asyncio.run_coroutine_threadsafe(make(), self._running())
        try:
            future.result(timeout=SEND_TIMEOUT_SECONDS)
        except TimeoutError:
            future.cancel()
            raise


_send_loop = _SendLoop()


def _send(group: str, message: dict[str, Any]) -> None:
    """Send ``message`` to ``group`` on the channel layer, from sync code."""
    layer = get_channel_layer()
    if layer is None:
        return
    if isinstance(layer, InMemoryChannelLayer):
        async_to_sync(layer.group_send)(group, message)
    else:
        _send_loop.run(lambda: layer.group_send(group, message))


def publish_now(group: str, payload: dict[str, Any]) -> None:
    """Send ``payload`` to every socket in ``group`` immediately (outside a transaction)."""
    _send(group, _relay(group, payload, encode(payload)))


def _send_on_commit(
    group: str, message: dict[str, Any], *, what: str, using: str | None = None
) -> None:
    """Send ``message`` to ``group`` once the current transaction commits (at once outside
    one). A failure to reach the channel layer is logged as ``what``, never raised: the
    write it follows has already succeeded."""

    def send() -> None:
        try:
            _send(group, message)
        except Exception:
            logger.exception("realtime %s failed", what)

    transaction.on_commit(send, using=using)


def publish_on_commit(group: str, payload: dict[str, Any], *, using: str | None = None) -> None:
    """Send ``payload`` to ``group`` once the current transaction commits; clients that
    miss it (a channel layer that did not answer) catch up by id."""
    message = _relay(group, payload, encode(payload))
    _send_on_commit(group, message, what=f"publish to {group}", using=using)


def close_group_on_commit(group: str, *, code: int, reason: str) -> None:
    """Ask every socket in ``group`` to close with ``code`` after the transaction commits."""
    message = {"type": CLOSE_TYPE, "code": code, "reason": reason}
    _send_on_commit(group, message, what=f"close of {group}")


def recheck_user_on_commit(user_id: int) -> None:
    """Ask every socket of one user, on every server, to re-check its login session and
    what it follows, once the transaction commits. A socket whose session no longer holds
    closes with the "reconnect" code; the client's reconnect then finds out whether the
    browser is still signed in."""
    _send_on_commit(user_group(user_id), {"type": RECHECK_TYPE}, what=f"recheck of user {user_id}")


# --- Database work for sockets -------------------------------------------------------------
# Channels runs ``database_sync_to_async`` calls in one thread per process, shared by every
# socket: a thousand sockets subscribing at once (after a server is lost) queue behind each
# other's database round trips while the cores sit half idle. The checks a socket asks for
# (is the session still good, may this person read this thread, what did they miss) read
# only, and each call has a connection of its own, so they run in a small pool of threads
# instead (REALTIME["DB_THREADS"]). Work that reads and writes one shared cache entry (the
# sockets per person, who is viewing a thread) stays on channels' one thread, so it is never
# done twice at once in a process.
_P = ParamSpec("_P")
_R = TypeVar("_R")
_socket_db_threads: ThreadPoolExecutor | None = None
_socket_db_lock = threading.Lock()


def _socket_db_executor() -> ThreadPoolExecutor:
    global _socket_db_threads
    with _socket_db_lock:
        if _socket_db_threads is None:
            _socket_db_threads = ThreadPoolExecutor(
                max_workers=settings.REALTIME["DB_THREADS"], thread_name_prefix="socket-db"
            )
        return _socket_db_threads


def socket_db(func: Callable[_P, _R]) -> Callable[_P, Awaitable[_R]]:
    """``database_sync_to_async`` for a socket's read-only checks: ``func`` runs in the
    sockets' thread pool, with Django's connection checks around it."""

    runner: list[Callable[_P, Awaitable[_R]]] = []  # made on the first call (settings)

    async def call(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        if not runner:
            runner.append(
                database_sync_to_async(func, thread_sensitive=False, executor=_socket_db_executor())
            )
        return await runner[0](*args, **kwargs)

    call.__name__ = getattr(func, "__name__", "socket_db_call")
    call.__doc__ = func.__doc__
    return call


# --- Sockets per person ---------------------------------------------------------------------
# Every open socket of a user is recorded in the cache (shared by all servers when it is
# Redis) with the time it opened, so the oldest can be closed past the per-person cap.
SOCKETS_TTL = 24 * 60 * 60


def _sockets_key(user_id: int) -> str:
    return f"realtime:sockets:{user_id}"


def sockets_opened(user_id: int, channel: str, *, limit: int) -> list[str]:
    """Record a new socket; returns the channels of the oldest ones past ``limit``, which
    the caller closes. Entries left by a server that died are the oldest, so they go first."""
    key = _sockets_key(user_id)
    current: dict[str, float] = cache.get(key) or {}
    current[channel] = time.time()
    evicted: list[str] = []
    if len(current) > limit:
        by_age = sorted(current, key=lambda c: current[c])
        evicted = [c for c in by_age if c != channel][: len(current) - limit]
        for stale in evicted:
            current.pop(stale, None)
    cache.set(key, current, SOCKETS_TTL)
    return evicted


def sockets_closed(user_id: int, channel: str) -> None:
    key = _sockets_key(user_id)
    current: dict[str, float] = cache.get(key) or {}
    if current.pop(channel, None) is not None:
        cache.set(key, current, SOCKETS_TTL)


# --- Message handlers -----------------------------------------------------------------------
# Apps above core register what a client may send (e.g. discussions registers "subscribe").
# A handler receives the consumer and the decoded message and may raise ProtocolError.

Handler = Callable[[Any, dict[str, Any]], Awaitable[None]]
_handlers: dict[str, Handler] = {}


class ProtocolError(Exception):
    """A client message the server refuses; answered with an ``error`` frame."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


def register_handler(message_type: str, handler: Handler) -> None:
    if message_type in _handlers and _handlers[message_type] is not handler:
        raise ValueError(f"a handler for {message_type!r} is already registered")
    _handlers[message_type] = handler


def get_handler(message_type: str) -> Handler | None:
    return _handlers.get(message_type)


def handled_types() -> list[str]:
    return sorted(_handlers)


# --- Event hooks ----------------------------------------------------------------------------
# Apps may act on an event a socket is about to receive (e.g. discussions drops the thread
# subscriptions of a cohort whose membership ended). A hook returning False stops the relay.

EventHook = Callable[[Any, dict[str, Any]], Awaitable[bool]]
_event_hooks: dict[str, list[EventHook]] = {}


def register_event_hook(kind: str, hook: EventHook) -> None:
    """Add ``hook`` for events of ``kind`` (several apps may act on the same kind)."""
    hooks = _event_hooks.setdefault(kind, [])
    if hook not in hooks:
        hooks.append(hook)


def unregister_event_hook(kind: str, hook: EventHook) -> None:
    hooks = _event_hooks.get(kind, [])
    if hook in hooks:
        hooks.remove(hook)


def get_event_hook(kind: str) -> EventHook | None:
    """One hook running every hook registered for ``kind``, in order; the event is relayed
    only if none of them says no. None when nothing is registered."""
    hooks = list(_event_hooks.get(kind, ()))
    if not hooks:
        return None
    if len(hooks) == 1:
        return hooks[0]

    async def every(consumer: Any, event: dict[str, Any]) -> bool:
        relay = True
        for hook in hooks:
            relay = await hook(consumer, event) and relay
        return relay

    return every


# --- Disconnect hooks -----------------------------------------------------------------------
DisconnectHook = Callable[[Any], Awaitable[None]]
_disconnect_hooks: list[DisconnectHook] = []


def register_disconnect_hook(hook: DisconnectHook) -> None:
    if hook not in _disconnect_hooks:
        _disconnect_hooks.append(hook)


def disconnect_hooks() -> list[DisconnectHook]:
    return list(_disconnect_hooks)


# --- Re-check hooks -------------------------------------------------------------------------
# Run when a socket re-checks its session (see recheck_user_on_commit) and the session still
# holds: apps re-authorize what the socket follows (e.g. discussions drops threads the person
# may no longer read, and stops their typing where they may no longer post).
RecheckHook = Callable[[Any], Awaitable[None]]
_recheck_hooks: list[RecheckHook] = []


def register_recheck_hook(hook: RecheckHook) -> None:
    if hook not in _recheck_hooks:
        _recheck_hooks.append(hook)


def recheck_hooks() -> list[RecheckHook]:
    return list(_recheck_hooks)
