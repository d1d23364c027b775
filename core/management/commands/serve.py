"""Serve HTTP and WebSocket with daphne, with the project's transport limits applied."""

from __future__ import annotations

from typing import Any

from daphne import server as daphne_server
from daphne.cli import CommandLineInterface
from daphne.ws_protocol import WebSocketFactory
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class ClosingWebSocketFactory(WebSocketFactory):
    """autobahn's default (``failByDrop``) drops the TCP connection when a frame is over the
    limit, so the client sees 1006; CONTRACT.md promises a close frame with code 1009."""

    def setProtocolOptions(self, **options: Any) -> None:
        super().setProtocolOptions(**{**options, "failByDrop": False})


class Command(BaseCommand):
    help = "Run daphne on HOST:PORT with the WebSocket frame limit from settings."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--proxy-headers",
            action="store_true",
            help="Trust X-Forwarded-For/-Proto from a reverse proxy in front of daphne.",
        )
        parser.add_argument("--access-log", default=None, help="File for the access log.")

    def handle(self, *args: Any, **options: Any) -> None:
        limit = str(settings.REALTIME["MAX_FRAME_BYTES"])
        argv = [
            "-b", options["host"], "-p", str(options["port"]),
            "--websocket-max-message-size", limit,
            "--websocket-max-frame-size", limit,
        ]  # fmt: skip
        if options["proxy_headers"]:
            argv.append("--proxy-headers")
        if options["access_log"]:
            argv += ["--access-log", options["access_log"]]
        argv.append(settings.ASGI_APPLICATION.replace(".application", ":application"))
        daphne_server.WebSocketFactory = ClosingWebSocketFactory  # type: ignore[misc]
        self.stdout.write(f"Commonplace on http://{options['host']}:{options['port']}/")
        CommandLineInterface().run(argv)
