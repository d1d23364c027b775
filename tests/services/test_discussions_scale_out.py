"""Discussions across two real daphne processes sharing Redis and PostgreSQL (issue 4, item
9): a post made through server A's API reaches a socket held by server B, and a socket that
was cut off catches up on reconnect without losing or repeating a post."""

from __future__ import annotations

import http.client
import json
import socket
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from rest_framework.authtoken.models import Token
from websockets.sync.client import ClientConnection

from accounts.models import User
from cohorts.models import Cohort, Membership
from discussions.models import Thread
from discussions.services import thread_create
from tests.services.servers import Server, free_port, start, stop
from tests.services.test_two_servers import assert_ping, open_socket, server_session

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

RECV_TIMEOUT = 5.0
QUIET_WINDOW = 0.75
# Frames beside the point of these tests: presence, notifications, typing.
BACKGROUND = {"presence", "notification", "typing"}


@pytest.fixture
def two_servers(
    services_ready: None, django_db_setup: Any, tmp_path: Any, request: pytest.FixtureRequest
) -> Iterator[tuple[Server, Server]]:
    """Fresh servers for each test (the package's are per module). Between transactional
    tests the database is flushed and post_migrate re-creates the content types under new
    ids, while a running server keeps the old ids in ContentType's cache, so guardian's
    object permissions (who may read a thread) would answer "no" in a second test."""
    servers = [Server(name, free_port(), tmp_path / f"{name}.log") for name in ("A", "B")]
    request.addfinalizer(lambda: stop(servers))
    start(servers)
    yield servers[0], servers[1]


@pytest.fixture
def cohort(
    transactional_db: Any,
    make_cohort: Callable[..., Cohort],
    seat: Callable[..., Membership],
    facilitator: User,
    member: User,
) -> Cohort:
    cohort = make_cohort(by=facilitator, title="Scale-out partnerships", capacity=12)
    seat(cohort, member)
    return cohort


@pytest.fixture
def writer(make_user: Callable[..., User], cohort: Cohort, seat: Any) -> User:
    person = make_user(name="Wren Writer")
    seat(cohort, person)
    return person


@pytest.fixture
def thread(cohort: Cohort, writer: User) -> Thread:
    return thread_create(cohort=cohort, author=writer, title="Across servers", body="Opening")


def api_post(server: Server, token: str, thread_id: int, body: str, client_id: str | None = None):
    """POST /api/v1/threads/{id}/posts/ on ``server``; returns (status, JSON)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=15)
    payload: dict[str, Any] = {"body": body}
    if client_id:
        payload["client_id"] = client_id
    try:
        conn.request(
            "POST",
            f"/api/v1/threads/{thread_id}/posts/",
            body=json.dumps(payload),
            headers={
                "Host": f"127.0.0.1:{server.port}",
                "Authorization": f"Token {token}",
                "Content-Type": "application/json",
                "Accept": "application/json",
            },
        )
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        conn.close()


def next_frame(ws: ClientConnection, timeout: float = RECV_TIMEOUT) -> dict[str, Any]:
    while True:
        try:
            frame = json.loads(ws.recv(timeout=timeout))
        except TimeoutError:
            pytest.fail(f"no frame arrived within {timeout}s")
        if frame.get("type") not in BACKGROUND:
            return frame


def assert_no_more_posts(ws: ClientConnection, what: str) -> None:
    while True:
        try:
            raw = ws.recv(timeout=QUIET_WINDOW)
        except TimeoutError:
            return
        frame = json.loads(raw)
        if frame.get("type") not in BACKGROUND:
            pytest.fail(f"{what}: unexpected frame {raw[:300]!r}")


def subscribe(ws: ClientConnection, thread_id: int, after: int | None) -> list[dict[str, Any]]:
    ws.send(json.dumps({"type": "subscribe", "thread": thread_id, "after": after}))
    frames = []
    while True:
        frame = next_frame(ws)
        frames.append(frame)
        if frame["type"] in ("subscribed", "error"):
            return frames


def cut(ws: ClientConnection) -> None:
    """Drop the TCP connection without a close handshake, as a lost network would."""
    ws.socket.shutdown(socket.SHUT_RDWR)
    ws.socket.close()


def test_post_through_server_a_reaches_a_subscriber_on_server_b_once(
    two_servers: tuple[Server, Server], thread: Thread, member: User, writer: User
):
    a, b = two_servers
    token = Token.objects.create(user=writer).key
    last = thread.last_post_id
    with open_socket(b, server_session(member)) as on_b:
        assert_ping(on_b)
        assert subscribe(on_b, thread.pk, after=last)[-1] == {
            "type": "subscribed",
            "thread": thread.pk,
            "last_post_id": last,
        }
        status, created = api_post(a, token, thread.pk, "Hello from A")
        assert status == 201, created
        frame = next_frame(on_b)
        assert frame["type"] == "post.created"
        assert (frame["post"]["id"], frame["post"]["body"]) == (created["id"], "Hello from A")
        assert_no_more_posts(on_b, "second delivery on B")

        # A retried submit (same client_id, through either server) is still one post.
        client_id = str(uuid.uuid4())
        first = api_post(a, token, thread.pk, "Sent twice", client_id)
        again = api_post(b, token, thread.pk, "Sent twice", client_id)
        assert first[0] == 201 and again[0] in (200, 201)
        assert first[1]["id"] == again[1]["id"]
        assert next_frame(on_b)["post"]["id"] == first[1]["id"]
        assert_no_more_posts(on_b, "a retried submit")


def test_socket_cut_off_on_b_catches_up_exactly_once_then_goes_live(
    two_servers: tuple[Server, Server], thread: Thread, member: User, writer: User
):
    a, b = two_servers
    token = Token.objects.create(user=writer).key
    key = server_session(member)
    with open_socket(b, key) as on_b:
        assert_ping(on_b)
        subscribe(on_b, thread.pk, after=thread.last_post_id)
        status, seen = api_post(a, token, thread.pk, "before the cut")
        assert status == 201
        assert next_frame(on_b)["post"]["id"] == seen["id"]
        last_seen = seen["id"]
        cut(on_b)

    missed = []
    for n in range(3):
        status, post = api_post(a, token, thread.pk, f"missed {n}")
        assert status == 201, post
        missed.append(post["id"])

    with open_socket(b, key) as again:
        assert_ping(again)
        frames = subscribe(again, thread.pk, after=last_seen)
        assert [f["type"] for f in frames] == ["post.created"] * 3 + ["subscribed"]
        assert [f["post"]["id"] for f in frames[:3]] == missed
        assert [f["post"]["body"] for f in frames[:3]] == ["missed 0", "missed 1", "missed 2"]
        assert frames[-1]["last_post_id"] == missed[-1]

        status, live = api_post(a, token, thread.pk, "live again")
        assert status == 201
        frame = next_frame(again)
        assert (frame["type"], frame["post"]["id"]) == ("post.created", live["id"])
        assert_no_more_posts(again, "after catch-up")
