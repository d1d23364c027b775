"""Real daphne processes for the services tests, started with ``manage.py serve`` (the
command production uses) and pointed at pytest-django's test database and this process's
Redis key space. Their output goes to log files, shown when a test fails."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT = 40.0
SERVE = [sys.executable, "manage.py", "serve", "--host", "127.0.0.1"]


def require_services() -> None:
    """These tests exist to exercise PostgreSQL and Redis; without them they must fail."""
    problems = []
    if not settings.REDIS_URL:
        problems.append("REDIS_URL is not set (the channel layer would be in-memory)")
    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine:
        problems.append(f"DATABASE_URL is not PostgreSQL (engine is {engine})")
    if problems:
        pytest.fail(
            "services tests need PostgreSQL and Redis; run them with `make test-services` "
            "(or set DATABASE_URL=postgres://... and REDIS_URL=redis://...): "
            + "; ".join(problems),
            pytrace=False,
        )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def database_url() -> str:
    """A DATABASE_URL for the test database pytest-django created (NAME is already it)."""
    db = settings.DATABASES["default"]
    user = quote(db.get("USER") or "", safe="")
    password = quote(str(db.get("PASSWORD") or ""), safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{quote(db['NAME'], safe='')}"


@dataclass
class Server:
    name: str
    port: int
    log_path: Path
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def origin(self) -> str:
        return self.http

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/"

    def output(self, limit: int = 6000) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no output)"
        return text[-limit:] or "(no output)"

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.http}/healthz", timeout=2) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False


def server_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env.update(
        DATABASE_URL=database_url(),
        REDIS_URL=settings.REDIS_URL,
        # The same key space as this process, so publish_now() here reaches the servers.
        CHANNEL_PREFIX=settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"],
        CACHE_PREFIX=f"commonplace-services-{os.getpid()}",
        DJANGO_DEBUG="0",
        # The test process's key: sessions made here with force_login are valid there.
        SECRET_KEY=settings.SECRET_KEY or secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    env.pop("CSRF_TRUSTED_ORIGINS", None)
    return env


def start(servers: list[Server]) -> None:
    env = server_env()
    for server in servers:
        log = server.log_path.open("wb")
        server.process = subprocess.Popen(
            [*SERVE, "--port", str(server.port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
    deadline = time.monotonic() + STARTUP_TIMEOUT
    waiting = list(servers)
    while waiting and time.monotonic() < deadline:
        for server in list(waiting):
            assert server.process is not None
            if server.process.poll() is not None:
                pytest.fail(
                    f"daphne {server.name} exited with {server.process.returncode} "
                    f"before answering /healthz:\n{server.output()}",
                    pytrace=False,
                )
            if server.healthy():
                waiting.remove(server)
        time.sleep(0.1)
    if waiting:
        report = "\n".join(f"--- {s.name} ---\n{s.output()}" for s in waiting)
        pytest.fail(
            f"daphne did not answer /healthz with 200 within {STARTUP_TIMEOUT:.0f}s:\n{report}",
            pytrace=False,
        )


def stop(servers: list[Server]) -> None:
    for server in servers:
        if server.process is not None and server.process.poll() is None:
            server.process.terminate()
    for server in servers:
        if server.process is None:
            continue
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(timeout=10)
