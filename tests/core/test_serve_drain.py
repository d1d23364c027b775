"""`manage.py serve` stops gracefully on SIGTERM: it stops listening, closes every socket with
1012 (the browser reconnects elsewhere and catches up), lets requests in flight finish and the
consumers' disconnect handlers run, then exits with 0. A real daphne process each time, on
the file SQLite test database, so a session made here signs the socket in there."""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from accounts.services import user_create_verified
from core.consumers import CLOSE_RESTART
from tests.services.servers import database_url

ROOT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT = 40.0
# Long enough for the drain to be told apart from a timeout on a busy machine.
DRAIN_SECONDS = 6.0

pytestmark = [pytest.mark.django_db(transaction=True)]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Serve:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-6000:] or "(no output)"

    def healthy(self) -> bool:
        try:
            url = f"http://127.0.0.1:{self.port}/healthz"
            with urllib.request.urlopen(url, timeout=2) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def wait_exit(self, timeout: float) -> int:
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pytest.fail(f"serve did not exit within {timeout}s:\n{self.output()}")


def start_serve(tmp_path: Path, *extra: str, drain: float = DRAIN_SECONDS) -> Serve:
    port = free_port()
    # The test database pytest-django made (transactional: committed rows are visible there):
    # the SQLite file, or PostgreSQL with Redis under `make test-services`.
    db = connections["default"].settings_dict
    connections.close_all()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "REDIS_"))}
    if "sqlite" in db["ENGINE"]:
        env["DATABASE_URL"] = f"sqlite:///{db['NAME']}"
    else:
        env["DATABASE_URL"] = database_url()
    if settings.REDIS_URL:
        env.update(
            REDIS_URL=settings.REDIS_URL,
            CHANNEL_PREFIX=settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"],
            CACHE_PREFIX=f"commonplace-drain-{os.getpid()}",
        )
    env.update(
        DJANGO_DEBUG="0",
        # The test process's key, so the session made here is valid there.
        SECRET_KEY=settings.SECRET_KEY or secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
        SERVE_DRAIN_SECONDS=str(drain),
    )
    env.pop("CSRF_TRUSTED_ORIGINS", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    log = tmp_path / f"serve-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "serve", "--port", str(port), *extra],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    serve = Serve(process, port, log)
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while not serve.healthy():
        if process.poll() is not None:
            pytest.fail(f"serve exited with {process.returncode}:\n{serve.output()}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"serve did not answer /healthz in {STARTUP_TIMEOUT}s:\n{serve.output()}")
        time.sleep(0.1)
    return serve


@pytest.fixture
def serve_factory(tmp_path: Path) -> Iterator[Any]:
    started: list[Serve] = []

    def make(*extra: str, drain: float = DRAIN_SECONDS) -> Serve:
        serve = start_serve(tmp_path, *extra, drain=drain)
        started.append(serve)
        return serve

    yield make
    for serve in started:
        if serve.process.poll() is None:
            serve.process.kill()
            serve.process.wait(timeout=10)


@pytest.fixture
def session_key(transactional_db: Any) -> str:
    user, _ = user_create_verified(
        email=f"drain-{uuid.uuid4().hex[:8]}@example.org",
        password="correct-horse-battery-staple",
        name="Dee Drain",
    )
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def open_socket(serve: Serve, key: str) -> ClientConnection:
    ws = connect(
        f"ws://127.0.0.1:{serve.port}/ws/",
        origin=f"http://127.0.0.1:{serve.port}",  # type: ignore[arg-type]
        additional_headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={key}"},
        open_timeout=10,
        close_timeout=2,
    )
    # A pong proves connect() has finished: the socket is registered and in its groups.
    ws.send(json.dumps({"type": "ping"}))
    assert json.loads(ws.recv(timeout=5)) == {"type": "pong"}
    return ws


def close_of(ws: ClientConnection, timeout: float = 5.0) -> tuple[int | None, str]:
    """Wait for the server to close the socket: its close code and reason."""
    try:
        frame = ws.recv(timeout=timeout)
    except TimeoutError:
        pytest.fail(f"the server did not close the socket within {timeout}s")
    except ConnectionClosed as closed:
        return (closed.rcvd.code, closed.rcvd.reason) if closed.rcvd else (None, "")
    pytest.fail(f"expected a close, got a frame {frame[:300]!r}")


def request_in_flight(serve: Serve) -> socket.socket:
    """A GET /healthz whose headers have arrived and whose body has not: daphne holds it as
    a request in progress until the rest comes."""
    conn = socket.create_connection(("127.0.0.1", serve.port), timeout=10)
    conn.sendall(
        f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{serve.port}\r\n"
        "Content-Length: 10\r\nConnection: close\r\n\r\n01234".encode()
    )
    return conn


def read_status(conn: socket.socket) -> int:
    data = b""
    while chunk := conn.recv(65536):
        data += chunk
    match = re.match(rb"HTTP/1\.1 (\d{3}) ", data)
    assert match, f"no HTTP response: {data[:300]!r}"
    return int(match.group(1))


def refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except ConnectionRefusedError:
        return True
    return False


def test_sigterm_closes_sockets_with_1012_finishes_requests_and_exits_0(
    serve_factory: Any, session_key: str
) -> None:
    serve = serve_factory()
    sockets = [open_socket(serve, session_key) for _ in range(3)]
    pending = request_in_flight(serve)
    time.sleep(0.2)  # let daphne read the request line and headers
    signalled = time.monotonic()
    serve.process.send_signal(signal.SIGTERM)

    for ws in sockets:
        assert close_of(ws) == (CLOSE_RESTART, "server restarting")
    # The port was closed before the sockets were: nobody new gets in.
    assert refused(serve.port), "a new connection was accepted during the drain"
    # The request that was in flight still gets its answer, then the process ends.
    pending.sendall(b"56789")
    assert read_status(pending) == 200
    pending.close()
    assert serve.wait_exit(DRAIN_SECONDS + 5) == 0, serve.output()
    took = time.monotonic() - signalled
    output = serve.output()
    # Finished by draining (every consumer's disconnect returned), not by the timeout.
    assert re.search(r"Drained in [\d.]+ s \(3 sockets closed\)", output), output
    assert "Drain timeout" not in output
    assert took < DRAIN_SECONDS, f"took {took:.2f}s:\n{output}"
    print(f"drained and exited {took:.2f}s after SIGTERM")


def test_a_request_that_never_finishes_is_cut_at_the_drain_timeout_and_the_worker_stops(
    serve_factory: Any, session_key: str
) -> None:
    serve = serve_factory("--with-worker", drain=1.5)
    worker = re.search(r"worker running \(pid (\d+)\)", serve.output())
    assert worker, serve.output()
    ws = open_socket(serve, session_key)
    stuck = request_in_flight(serve)
    time.sleep(0.2)
    signalled = time.monotonic()
    serve.process.send_signal(signal.SIGTERM)
    assert close_of(ws)[0] == CLOSE_RESTART
    assert serve.wait_exit(10) == 0, serve.output()
    took = time.monotonic() - signalled
    assert 1.5 <= took < 6, f"took {took:.2f}s"
    assert "Drain timeout (1.5 s): stopping with 1 connections unfinished." in serve.output()
    stuck.close()
    # The task worker went with the server.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and Path(f"/proc/{worker.group(1)}").exists():
        time.sleep(0.1)
    assert not Path(f"/proc/{worker.group(1)}").exists(), "the task worker outlived serve"


def test_a_second_sigterm_during_the_drain_exits_at_once(
    serve_factory: Any, session_key: str
) -> None:
    serve = serve_factory(drain=60)
    stuck = request_in_flight(serve)
    time.sleep(0.2)
    serve.process.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    assert serve.process.poll() is None, "the drain should still be waiting for the request"
    again = time.monotonic()
    serve.process.send_signal(signal.SIGTERM)
    assert serve.wait_exit(5) == 0, serve.output()
    assert time.monotonic() - again < 3
    assert "SIGTERM again during the drain: stopping now." in serve.output()
    stuck.close()
