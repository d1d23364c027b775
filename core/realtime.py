"""Publishing to WebSocket clients.

Services never talk to the channel layer directly: they call :func:`publish_on_commit`,
which waits for the surrounding transaction to commit (so no client ever hears about a row
that was rolled back) and encodes the event once, however many sockets receive it.

Group names come from the functions below, never from string literals elsewhere.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

logger = logging.getLogger(__name__)

# The consumer method that relays a pre-encoded frame (see RealtimeConsumer.realtime_event).
RELAY_TYPE = "realtime.event"
# The consumer method that closes sockets belonging to an ended session.
CLOSE_TYPE = "realtime.close"


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


def _relay(payload: dict[str, Any], text: str) -> dict[str, Any]:
    # "kind" lets a consumer react to an event (see register_event_hook) without decoding.
    return {"type": RELAY_TYPE, "text": text, "kind": payload.get("type", "")}


def publish_now(group: str, payload: dict[str, Any]) -> None:
    """Send ``payload`` to every socket in ``group`` immediately (outside a transaction)."""
    layer = get_channel_layer()
    if layer is None:
        return
    async_to_sync(layer.group_send)(group, _relay(payload, encode(payload)))


def publish_on_commit(group: str, payload: dict[str, Any], *, using: str | None = None) -> None:
    """Send ``payload`` to ``group`` once the current transaction commits.

    Outside a transaction the message goes at once. A failure to reach the channel layer is
    logged, never raised: the write has already succeeded and clients catch up by id.
    """
    text = encode(payload)

    def send() -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        try:
            async_to_sync(layer.group_send)(group, _relay(payload, text))
        except Exception:
            logger.exception("realtime publish to %s failed", group)

    transaction.on_commit(send, using=using)


def close_group_on_commit(group: str, *, code: int, reason: str) -> None:
    """Ask every socket in ``group`` to close with ``code`` after the transaction commits."""

    def send() -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        try:
            async_to_sync(layer.group_send)(
                group, {"type": CLOSE_TYPE, "code": code, "reason": reason}
            )
        except Exception:
            logger.exception("realtime close of %s failed", group)

    transaction.on_commit(send)


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
_event_hooks: dict[str, EventHook] = {}


def register_event_hook(kind: str, hook: EventHook) -> None:
    _event_hooks[kind] = hook


def get_event_hook(kind: str) -> EventHook | None:
    return _event_hooks.get(kind)


# --- Disconnect hooks -----------------------------------------------------------------------
DisconnectHook = Callable[[Any], Awaitable[None]]
_disconnect_hooks: list[DisconnectHook] = []


def register_disconnect_hook(hook: DisconnectHook) -> None:
    if hook not in _disconnect_hooks:
        _disconnect_hooks.append(hook)


def disconnect_hooks() -> list[DisconnectHook]:
    return list(_disconnect_hooks)
