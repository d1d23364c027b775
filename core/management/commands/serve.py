"""Serve HTTP and WebSocket with daphne, with the project's transport limits applied and a
graceful stop on SIGTERM (see :class:`DrainingServer`)."""

from __future__ import annotations

import contextlib
import ctypes
import functools
import gc
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any

# daphne.server installs Twisted's asyncio reactor when it is imported: it must come before
# anything that imports twisted.internet.reactor.
from daphne import server as daphne_server  # isort: skip
from daphne import http_protocol, ws_protocol
from daphne.cli import CommandLineInterface
from daphne.utils import parse_x_forwarded_for
from daphne.ws_protocol import WebSocketFactory
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import get_resolver
from twisted.internet import reactor
from twisted.web.http_headers import Headers

from core.consumers import CLOSE_RESTART
from core.http import forwarded_client
from core.warmup import warm_up

logger = logging.getLogger(__name__)

# How often the drain looks whether every connection has finished.
DRAIN_POLL_SECONDS = 0.05
# How long a WebSocket handshake may take before daphne drops it (daphne's default is 5 s).
# When a process stops, the sockets it held come back to the others within a few seconds;
# under that burst a handshake (session and user looked up, groups joined) can wait in line
# for longer than 5 s, and a dropped one only comes back again later.
HANDSHAKE_SECONDS = 30


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


# The collector's thresholds while serving (Python's are 700, 10, 10). A server holding a
# thousand sockets keeps hundreds of thousands of objects alive for their whole life, and
# at Python's rates it walked them all every few seconds: full collections of 100 to 380 ms
# (measured in `bench/live.py`), each one a pause of the event loop that every socket and
# request of the process waits through, and about a sixth of the process's CPU. With a young
# generation of 50,000 objects, what dies young (a request's objects, a message's) is freed
# before it is looked at, far fewer objects are promoted, and full collections become rare.
GC_THRESHOLDS = (50_000, 20, 20)


def settle_garbage_collector() -> None:
    """Before serving, after ``core.warmup`` has built what the first requests would: load
    the URLconf (and with it every view module; already loaded after the warm-up), collect,
    move everything alive into the collector's permanent generation, and set
    :data:`GC_THRESHOLDS`.

    A process running Django holds a couple of hundred thousand long-lived objects (modules,
    classes, settings, compiled patterns) that never become garbage, and every full
    collection walked them all (60 to 80 ms here on their own). Frozen, they are no longer
    walked. They are still freed by reference counting when the last reference goes; what
    the collector no longer finds is a cycle running through one of them, which start-up
    code (made once, kept for the life of the process) does not leave behind in numbers."""
    get_resolver().url_patterns  # noqa: B018 - imports the views now, not on a request
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


class DrainingServer(daphne_server.Server):
    """daphne's server with a graceful stop, for rolling restarts behind a proxy.

    daphne stops on SIGTERM/SIGINT by cancelling every application at once: sockets drop
    with 1006, requests in flight are cut, and consumers' disconnect handlers (presence, the
    per-person socket count, group discards) may never run. Here the first signal instead
    1. stops listening, so new connections are refused and the proxy sends them elsewhere;
    2. closes every open WebSocket with 1012 ("service restart"), on which the browser
       reconnects with back-off (to another process) and catches up with ``after``;
    3. waits until every HTTP request has been answered and every consumer has finished its
       disconnect, or until ``drain_seconds`` have passed;
    4. stops the reactor; what is still running then is cancelled as daphne would.
    A second signal during the drain skips to step 4.
    """

    def __init__(self, *args: Any, drain_seconds: float = 10.0, **kwargs: Any) -> None:
        # Twisted's own handlers would stop the reactor at once: ours are installed instead.
        kwargs["signal_handlers"] = False
        super().__init__(*args, **kwargs)
        self.drain_seconds = drain_seconds
        self.ports: list[Any] = []
        self.draining = False
        self.stopping = False
        self.told_to_close: set[Any] = set()
        self.drain_started = 0.0

    def run(self) -> None:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self.on_stop_signal)
        warm_up()
        settle_garbage_collector()
        super().run()

    def listen_success(self, port: Any) -> None:
        self.ports.append(port)
        super().listen_success(port)

    def on_stop_signal(self, signum: int, frame: FrameType | None) -> None:
        # A Python signal handler runs between two bytecodes of whatever the main thread was
        # doing: hand the work to the reactor (Twisted's own handlers do the same).
        reactor.callFromThread(self.stop_requested, signal.Signals(signum).name)

    def stop_requested(self, name: str) -> None:
        if self.stopping:
            return
        if self.draining:
            logger.warning("%s again during the drain: stopping now.", name)
            self.stop_now()
            return
        self.draining = True
        self.drain_started = time.monotonic()
        logger.info(
            "%s: draining (new connections refused, sockets closing with %d, up to %g s).",
            name, CLOSE_RESTART, self.drain_seconds,
        )  # fmt: skip
        for port in self.ports:
            port.stopListening()
        self.drain()

    def drain(self) -> None:
        """One round of the drain: close the sockets not told yet (including any accepted
        since the last round), then stop if nothing is left or the time is up."""
        if self.stopping:
            return
        for protocol in list(self.connections):
            if (
                isinstance(protocol, ws_protocol.WebSocketProtocol)
                and protocol.state == protocol.STATE_OPEN
                and protocol not in self.told_to_close
            ):
                self.told_to_close.add(protocol)
                # autobahn's sendClose accepts only 1000 and 3000-4999; the frame may carry
                # any code, and 1012 is the registered one for a restart.
                protocol.sendCloseFrame(code=CLOSE_RESTART, reasonUtf8=b"server restarting")
        elapsed = time.monotonic() - self.drain_started
        busy = sum(1 for details in self.connections.values() if not self.finished(details))
        if not busy:
            logger.info("Drained in %.2f s (%d sockets closed).", elapsed, len(self.told_to_close))
            self.stop_now()
        elif elapsed >= self.drain_seconds:
            logger.warning(
                "Drain timeout (%g s): stopping with %d connections unfinished.",
                self.drain_seconds, busy,
            )  # fmt: skip
            self.stop_now()
        else:
            reactor.callLater(DRAIN_POLL_SECONDS, self.drain)

    @staticmethod
    def finished(details: dict[str, Any]) -> bool:
        """A connection is finished when the client is gone (the response was sent, or the
        socket closed) and its application, if it had one, has returned."""
        application = details.get("application_instance")
        return "disconnected" in details and (application is None or application.done())

    def stop_now(self) -> None:
        self.stopping = True
        if reactor.running:
            reactor.stop()

    def kill_all_applications(self) -> Any:
        # daphne's own version fails on a connection that never had an application (a
        # request upgraded to a WebSocket, not yet reaped), which a drain makes likely.
        for protocol, details in list(self.connections.items()):
            if details.get("application_instance") is None:
                del self.connections[protocol]
        return super().kill_all_applications()


class DrainingCommandLine(CommandLineInterface):
    """daphne's command line, building a :class:`DrainingServer`."""

    def __init__(self, drain_seconds: float) -> None:
        super().__init__()
        self.server_class = functools.partial(DrainingServer, drain_seconds=drain_seconds)


def worker_command() -> list[str]:
    """The task worker for the configured backend: django_tasks_db's ``db_worker``, or
    django-rq's ``rqworker`` when the queue is in Redis (README "Background tasks")."""
    backend = settings.TASKS["default"]["BACKEND"]
    if backend.startswith("django_tasks_rq"):
        # With the scheduler, tasks queued to run later (a retry after a delay) are run.
        return [sys.executable, "-m", "django", "rqworker", "default", "--with-scheduler"]
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
            "--websocket_connect_timeout", str(HANDSHAKE_SECONDS),
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
        daphne = DrainingCommandLine(settings.SERVE_DRAIN_SECONDS)
        if not options["with_worker"]:
            daphne.run(argv)
            return
        with task_worker() as worker:
            self.stdout.write(f"Background task worker running (pid {worker.pid}).")
            daphne.run(argv)
