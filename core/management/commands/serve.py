"""Serve HTTP and WebSocket with daphne, with the project's transport limits applied."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from typing import Any

from daphne import http_protocol, ws_protocol
from daphne import server as daphne_server
from daphne.cli import CommandLineInterface
from daphne.utils import parse_x_forwarded_for
from daphne.ws_protocol import WebSocketFactory
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from twisted.web.http_headers import Headers

from core.http import forwarded_client


class ClosingWebSocketFactory(WebSocketFactory):
    """autobahn's default (``failByDrop``) drops the TCP connection when a frame is over the
    limit, so the client sees 1006; CONTRACT.md promises a close frame with code 1009."""

    def setProtocolOptions(self, **options: Any) -> None:
        super().setProtocolOptions(**{**options, "failByDrop": False})


def forwarded_address_parser(proxies: int) -> Callable[..., tuple[Any, Any]]:
    """daphne's X-Forwarded-For parser takes the left-most address, which the client writes;
    this one takes the address our outermost proxy saw (``core.http.forwarded_client``),
    keeping daphne's handling of X-Forwarded-Proto."""

    def parse(
        headers: Any,
        address_header_name: str = "X-Forwarded-For",
        port_header_name: str | None = "X-Forwarded-Port",
        proto_header_name: str | None = "X-Forwarded-Proto",
        original_addr: Any = None,
        original_scheme: Any = None,
    ) -> tuple[Any, Any]:
        # The client's X-Forwarded-Port is no more trustworthy than its address: not read.
        _addr, scheme = parse_x_forwarded_for(
            headers, address_header_name, None, proto_header_name, original_addr, original_scheme
        )
        raw = dict(headers.getAllRawHeaders() if isinstance(headers, Headers) else headers)
        wanted = address_header_name.lower().encode()
        values = [v for name, v in raw.items() if name.lower() == wanted]
        if not values:
            return original_addr, scheme
        value = values[0]
        joined = b",".join(value) if isinstance(value, list) else value
        peer = original_addr[0] if original_addr else ""
        return [forwarded_client(joined.decode("latin-1"), peer, proxies), 0], scheme

    return parse


def worker_command() -> list[str]:
    """The task worker for the configured backend: django_tasks_db's ``db_worker``, or
    django-rq's ``rqworker`` when the queue is in Redis (README "Background tasks")."""
    backend = settings.TASKS["default"]["BACKEND"]
    if backend.startswith("django_tasks_rq"):
        return [sys.executable, "-m", "django", "rqworker", "default"]
    return [sys.executable, "-m", "django", "db_worker", "--no-reload"]


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """Linux: the worker gets SIGTERM if the server dies without cleaning up (SIGKILL)."""
    with contextlib.suppress(Exception):
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@contextlib.contextmanager
def task_worker(stop_after: float = 10.0) -> Iterator[subprocess.Popen[bytes]]:
    """Run one task worker beside the server for as long as the block lasts; on the way
    out (Ctrl-C, SIGTERM, an error) it is asked to stop, then killed if it lingers."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get(
        "DJANGO_SETTINGS_MODULE", "config.settings")}  # fmt: skip
    worker = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        worker_command(),
        cwd=settings.BASE_DIR,
        env=env,
        preexec_fn=_die_with_parent if sys.platform == "linux" else None,
    )
    try:
        yield worker
    finally:
        if worker.poll() is None:
            worker.terminate()
            try:
                worker.wait(timeout=stop_after)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()


class Command(BaseCommand):
    help = "Run daphne on HOST:PORT with the WebSocket frame limit from settings."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--proxy-headers",
            action="store_true",
            help="Trust X-Forwarded-For/-Proto from the reverse proxies in front of daphne "
            "(needs BEHIND_PROXY=<number of proxies>; on by itself when it is set).",
        )
        parser.add_argument("--access-log", default=None, help="File for the access log.")
        parser.add_argument(
            "--with-worker",
            action="store_true",
            help="Also run one background task worker, stopped with the server (make run).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        limit = str(settings.REALTIME["MAX_FRAME_BYTES"])
        argv = [
            "-b", options["host"], "-p", str(options["port"]),
            "--websocket-max-message-size", limit,
            "--websocket-max-frame-size", limit,
        ]  # fmt: skip
        proxies = settings.PROXY_COUNT
        if options["proxy_headers"] and not proxies:
            raise CommandError(
                "--proxy-headers trusts X-Forwarded-For, which any client can write: set "
                "BEHIND_PROXY to the number of proxies in front of the app (e.g. BEHIND_PROXY=1)."
            )
        if proxies:
            argv.append("--proxy-headers")
            parser = forwarded_address_parser(proxies)
            http_protocol.parse_x_forwarded_for = parser  # type: ignore[assignment]
            ws_protocol.parse_x_forwarded_for = parser  # type: ignore[assignment]
        if options["access_log"]:
            argv += ["--access-log", options["access_log"]]
        argv.append(settings.ASGI_APPLICATION.replace(".application", ":application"))
        daphne_server.WebSocketFactory = ClosingWebSocketFactory  # type: ignore[misc]
        self.stdout.write(f"Commonplace on http://{options['host']}:{options['port']}/")
        if not options["with_worker"]:
            CommandLineInterface().run(argv)
            return
        with task_worker() as worker:
            self.stdout.write(f"Background task worker running (pid {worker.pid}).")
            CommandLineInterface().run(argv)
