"""Two real daphne processes sharing one Redis channel layer and one PostgreSQL database.

What only this setup can show: a message published on one server (or by any process)
reaches sockets held by another server, logout on one server cuts sockets on the other,
and the transport limits that daphne itself enforces (origin, frame size).
"""

from __future__ import annotations

import http.client
import json
import re
import uuid
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.test import Client
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from accounts.models import User
from accounts.services import user_create_verified
from core.realtime import publish_now, user_group
from tests.services.servers import Server

pytestmark = [pytest.mark.services]

PASSWORD = "correct-horse-battery-staple"
RECV_TIMEOUT = 5.0
# How long to listen for a frame that must not come (duplicate or foreign delivery).
QUIET_WINDOW = 0.75


# --- helpers --------------------------------------------------------------------------------
class Browser:
    """Just enough of a browser for allauth's forms: cookies, CSRF token, Origin header."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def request(
        self, server: Server, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, str, str]:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=15)
        headers = {"Host": f"127.0.0.1:{server.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = server.origin
            headers["Referer"] = f"{server.http}{path}"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode(errors="replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    if morsel.value and morsel["max-age"] != "0":
                        self.cookies[name] = morsel.value
                    else:
                        self.cookies.pop(name, None)
            return response.status, response.headers.get("Location", ""), text
        finally:
            conn.close()

    def csrf_token(self, server: Server, path: str) -> str:
        status, _, page = self.request(server, "GET", path)
        assert status == 200, f"GET {path} answered {status}"
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert match, f"no csrfmiddlewaretoken in {path}"
        assert "csrftoken" in self.cookies, f"GET {path} set no csrftoken cookie"
        return match.group(1)

    def log_in(self, server: Server, email: str, password: str) -> str:
        token = self.csrf_token(server, "/accounts/login/")
        status, location, page = self.request(
            server,
            "POST",
            "/accounts/login/",
            {"csrfmiddlewaretoken": token, "login": email, "password": password},
        )
        assert status == 302, f"login answered {status} (location {location!r}):\n{page[:2000]}"
        assert "sessionid" in self.cookies, "login set no session cookie"
        return self.cookies["sessionid"]

    def log_out(self, server: Server) -> None:
        token = self.csrf_token(server, "/accounts/logout/")
        status, location, page = self.request(
            server, "POST", "/accounts/logout/", {"csrfmiddlewaretoken": token}
        )
        assert status == 302, f"logout answered {status} (location {location!r}):\n{page[:2000]}"


def open_socket(
    server: Server, session_key: str | None, *, origin: str | None = None
) -> ClientConnection:
    headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session_key}"} if session_key else {}
    return connect(
        server.ws,
        origin=origin or server.origin,  # type: ignore[arg-type]
        additional_headers=headers,
        open_timeout=10,
        close_timeout=2,
    )


def receive(ws: ClientConnection, timeout: float = RECV_TIMEOUT) -> dict[str, Any]:
    try:
        return json.loads(ws.recv(timeout=timeout))
    except TimeoutError:
        pytest.fail(f"no frame arrived within {timeout}s")


def assert_ping(ws: ClientConnection) -> None:
    """A pong also proves connect() has finished, i.e. the socket has joined its groups."""
    ws.send(json.dumps({"type": "ping"}))
    assert receive(ws) == {"type": "pong"}


def assert_quiet(ws: ClientConnection, what: str) -> None:
    try:
        frame = ws.recv(timeout=QUIET_WINDOW)
    except TimeoutError:
        return
    pytest.fail(f"{what}: unexpected frame {frame[:300]!r}")


def close_code_of(ws: ClientConnection, timeout: float = RECV_TIMEOUT) -> int | None:
    """Wait for the server to close the socket; returns its close code."""
    try:
        frame = ws.recv(timeout=timeout)
    except TimeoutError:
        pytest.fail(f"the server did not close the socket within {timeout}s")
    except ConnectionClosed as closed:
        # rcvd is None when the server dropped TCP without a close frame (client sees 1006).
        return closed.rcvd.code if closed.rcvd else None
    pytest.fail(f"expected the server to close the socket, got a frame {frame[:300]!r}")


def server_session(user: User) -> str:
    """A committed login session for ``user`` (valid on the servers: same SECRET_KEY)."""
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.fixture
def user(transactional_db: Any) -> User:
    created, _ = user_create_verified(
        email=f"live-{uuid.uuid4().hex[:8]}@example.org", password=PASSWORD, name="Lee Live"
    )
    return created


# --- tests ----------------------------------------------------------------------------------
def test_logout_on_one_server_closes_that_sessions_socket_on_the_other(
    two_servers: tuple[Server, Server], transactional_db: Any, settings: Any
) -> None:
    a, b = two_servers
    # The servers are not running under pytest, so they only know Django's default hashers;
    # the suite's fast MD5 hasher would make the real login form reject the password.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    person, _ = user_create_verified(
        email="logout-live@example.org", password=PASSWORD, name="Lou Logout"
    )

    leaving = Browser()
    leaving_key = leaving.log_in(a, person.email, PASSWORD)
    staying = Browser()
    staying_key = staying.log_in(a, person.email, PASSWORD)
    assert leaving_key != staying_key

    with (
        open_socket(b, leaving_key) as on_b,
        open_socket(a, leaving_key) as on_a,
        open_socket(b, staying_key) as other_session_on_b,
    ):
        for ws in (on_b, on_a, other_session_on_b):
            assert_ping(ws)

        leaving.log_out(a)

        assert close_code_of(on_b) == 4401
        assert close_code_of(on_a) == 4401
        # Only the ended login session is cut; the same person's other session lives on.
        assert_ping(other_session_on_b)

    # And the ended session really is gone: a new socket with it is anonymous.
    with open_socket(b, leaving_key) as again:
        assert close_code_of(again) == 4401


def test_publish_from_any_process_reaches_the_users_sockets_on_both_servers_once(
    two_servers: tuple[Server, Server], user: User
) -> None:
    a, b = two_servers
    stranger, _ = user_create_verified(
        email="stranger-live@example.org", password=PASSWORD, name="Stan Stranger"
    )
    key = server_session(user)
    payload = {
        "type": "notification",
        "id": str(uuid.uuid4()),
        "text": "Your join request was approved ✓",
        "url": "/cohorts/partnerships-spring/",
    }
    with (
        open_socket(a, key) as on_a,
        open_socket(b, key) as on_b,
        open_socket(b, server_session(stranger)) as strangers,
    ):
        for ws in (on_a, on_b, strangers):
            assert_ping(ws)

        publish_now(user_group(user.pk), payload)

        assert receive(on_a) == payload
        assert receive(on_b) == payload
        assert_quiet(on_a, "second delivery on A")
        assert_quiet(on_b, "second delivery on B")
        assert_quiet(strangers, "another user's socket")


@pytest.mark.parametrize("which", [0, 1], ids=["A", "B"])
def test_anonymous_socket_is_closed_with_4401(
    two_servers: tuple[Server, Server], transactional_db: Any, which: int
) -> None:
    with open_socket(two_servers[which], None) as ws:
        assert close_code_of(ws) == 4401


@pytest.mark.parametrize(
    "origin", ["http://evil.example", "http://127.0.0.1.evil.example:8000", "null"]
)
def test_socket_with_a_foreign_origin_is_refused_at_the_handshake(
    two_servers: tuple[Server, Server], user: User, origin: str
) -> None:
    key = server_session(user)
    for server in two_servers:
        with pytest.raises(InvalidStatus) as refused:
            open_socket(server, key, origin=origin).close()
        assert refused.value.response.status_code == 403
    # The same session with the right origin is accepted: the refusal was the origin's.
    with open_socket(two_servers[0], key) as ws:
        assert_ping(ws)


def test_frame_over_the_size_limit_is_closed_with_1009_by_daphne(
    two_servers: tuple[Server, Server], user: User
) -> None:
    limit = settings.REALTIME["MAX_FRAME_BYTES"]
    key = server_session(user)
    with open_socket(two_servers[1], key) as ws:
        # Exactly at the limit is still a frame the server answers.
        ping = json.dumps({"type": "ping", "pad": ""})
        at_limit = json.dumps({"type": "ping", "pad": "x" * (limit - len(ping))})
        assert len(at_limit.encode()) == limit
        ws.send(at_limit)
        assert receive(ws) == {"type": "pong"}

        ws.send("x" * (limit + 1))
        assert close_code_of(ws) == 1009
