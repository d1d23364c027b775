"""The /ws/ consumer driven through the full ASGI application (auth, origin check, routing)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from config.asgi import application
from core import realtime

pytestmark = [pytest.mark.django_db(transaction=True)]

ORIGIN = (b"origin", b"http://testserver")


@database_sync_to_async
def _session_for(user: Any) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


async def _connect(session_key: str | None = None, origin: bytes = ORIGIN[1]) -> Any:
    headers = [(b"origin", origin), (b"host", b"testserver")]
    if session_key:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={session_key}".encode()))
    communicator = WebsocketCommunicator(application, "/ws/", headers=headers)
    connected, code = await communicator.connect()
    return communicator, connected, code


@pytest.fixture
async def socket(member: Any) -> Any:
    key = await _session_for(member)
    communicator, connected, _ = await _connect(key)
    assert connected
    yield communicator
    await communicator.disconnect()


async def test_anonymous_socket_is_closed_with_4401() -> None:
    communicator, connected, _ = await _connect()
    assert connected  # accepted so that the close code reaches the client
    message = await communicator.receive_output(timeout=2)
    assert message == {"type": "websocket.close", "code": 4401}
    await communicator.wait()


async def test_bad_origin_is_refused(member: Any) -> None:
    key = await _session_for(member)
    _communicator, connected, _ = await _connect(key, origin=b"http://evil.example.com")
    assert not connected


async def test_ping_answers_pong(socket: Any) -> None:
    await socket.send_json_to({"type": "ping"})
    assert await socket.receive_json_from(timeout=2) == {"type": "pong"}


@pytest.mark.parametrize(
    ("frame", "detail_part"),
    [
        ("not json", "not valid JSON"),
        ("[1, 2]", "JSON object"),
        ('{"kind": "ping"}', "JSON object"),
        ('{"type": 5}', "JSON object"),
        ('{"type": "launch_rockets"}', "Unknown message type"),
    ],
)
async def test_malformed_frames_get_bad_request_and_socket_stays_open(
    socket: Any, frame: str, detail_part: str
) -> None:
    await socket.send_to(text_data=frame)
    answer = await socket.receive_json_from(timeout=2)
    assert answer["type"] == "error"
    assert answer["code"] == "bad_request"
    assert detail_part in answer["detail"]
    await socket.send_json_to({"type": "ping"})
    assert await socket.receive_json_from(timeout=2) == {"type": "pong"}


async def test_binary_frames_get_bad_request(socket: Any) -> None:
    await socket.send_to(bytes_data=b"\x00\x01")
    answer = await socket.receive_json_from(timeout=2)
    assert (answer["type"], answer["code"]) == ("error", "bad_request")


async def test_oversized_frame_closes_with_1009(socket: Any) -> None:
    big = json.dumps({"type": "ping", "pad": "x" * settings.REALTIME["MAX_FRAME_BYTES"]})
    await socket.send_to(text_data=big)
    assert await socket.receive_output(timeout=2) == {"type": "websocket.close", "code": 1009}


async def test_burst_past_the_limit_is_rate_limited_then_flood_closes(
    socket: Any, settings: Any
) -> None:
    burst = settings.REALTIME["RATE_BURST"]
    for _ in range(burst + 3):
        await socket.send_json_to({"type": "ping"})
    answers = [await socket.receive_json_from(timeout=2) for _ in range(burst + 3)]
    assert answers.count({"type": "pong"}) >= burst
    limited = [a for a in answers if a.get("type") == "error"]
    assert limited and all(a["code"] == "rate_limited" for a in limited)
    # Keep flooding: the connection is closed with 4429.
    for _ in range(settings.REALTIME["FLOOD_CLOSE_AFTER"] + 5):
        await socket.send_json_to({"type": "ping"})
    closed = False
    for _ in range(settings.REALTIME["FLOOD_CLOSE_AFTER"] + 5):
        output = await socket.receive_output(timeout=2)
        if output["type"] == "websocket.close":
            assert output["code"] == 4429
            closed = True
            break
    assert closed


async def test_published_event_reaches_the_users_sockets_once(socket: Any, member: Any) -> None:
    layer = get_channel_layer()
    payload = {"type": "notification", "text": "Welcome"}
    await layer.group_send(
        realtime.user_group(member.pk),
        {"type": realtime.RELAY_TYPE, "text": realtime.encode(payload)},
    )
    assert await socket.receive_json_from(timeout=2) == payload
    assert await socket.receive_nothing(timeout=0.2)


async def test_other_users_do_not_receive_personal_events(
    socket: Any, member: Any, outsider: Any
) -> None:
    layer = get_channel_layer()
    await layer.group_send(
        realtime.user_group(outsider.pk),
        {"type": realtime.RELAY_TYPE, "text": realtime.encode({"type": "notification"})},
    )
    assert await socket.receive_nothing(timeout=0.3)


async def test_logout_closes_that_sessions_sockets(member: Any) -> None:
    key = await _session_for(member)
    communicator, connected, _ = await _connect(key)
    assert connected

    @database_sync_to_async
    def log_out() -> None:
        from django.contrib.auth import logout
        from django.test import RequestFactory

        request = RequestFactory().post("/accounts/logout/")
        request.session = SessionStore(session_key=key)
        request.user = member
        logout(request)

    await log_out()
    assert await communicator.receive_output(timeout=2) == {
        "type": "websocket.close",
        "code": 4401,
    }


async def test_registered_handler_receives_messages_and_protocol_errors_are_answered(
    socket: Any,
) -> None:
    seen: list[dict[str, Any]] = []

    async def handler(consumer: Any, message: dict[str, Any]) -> None:
        seen.append(message)
        if message.get("fail"):
            raise realtime.ProtocolError("forbidden", "Not for you.")
        await consumer.send_json({"type": "echoed"})

    realtime.register_handler("test.echo", handler)
    try:
        await socket.send_json_to({"type": "test.echo"})
        assert await socket.receive_json_from(timeout=2) == {"type": "echoed"}
        await socket.send_json_to({"type": "test.echo", "fail": True})
        assert await socket.receive_json_from(timeout=2) == {
            "type": "error",
            "code": "forbidden",
            "detail": "Not for you.",
        }
        assert len(seen) == 2
    finally:
        realtime._handlers.pop("test.echo", None)


def test_publish_on_commit_waits_for_the_commit(db: Any, monkeypatch: Any) -> None:
    from django.db import transaction

    sent: list[tuple[str, dict[str, Any]]] = []

    class Layer:
        async def group_send(self, group: str, message: dict[str, Any]) -> None:
            sent.append((group, message))

    monkeypatch.setattr(realtime, "get_channel_layer", lambda: Layer())
    with transaction.atomic():
        realtime.publish_on_commit("thread.1", {"type": "post.created", "id": 3})
        assert sent == []
    assert sent == [
        (
            "thread.1",
            {
                "type": realtime.RELAY_TYPE,
                "text": '{"type":"post.created","id":3}',
                "kind": "post.created",
                "group": "thread.1",
            },
        )
    ]

    sent.clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        realtime.publish_on_commit("thread.1", {"type": "post.created", "id": 4})
        raise RuntimeError("rolled back")
    assert sent == []
