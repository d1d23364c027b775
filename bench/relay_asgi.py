"""Bench-only ASGI app: the bare baseline for the discussions fan-out benchmark.

A WebSocket consumer that joins one group on connect and relays every group message's
pre-encoded text to its socket: no authentication, no origin check, no rate limit, no
subscribe protocol, no database. The group is ``bench.relay`` unless the URL names another
(``/ws/?group=bench.relay.7``: bench/live.py's many small groups). Served by daphne
directly (``daphne bench.relay_asgi:application``) with the project's settings, so it uses
the same Redis channel layer (and key prefix) as the real servers.
Any path answers HTTP 200 (the health check).

Never mounted by the project; only bench/posts.py and bench/live.py start it.
"""

from __future__ import annotations

import os
import re
from typing import Any
from urllib.parse import parse_qs

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter  # noqa: E402

GROUP = "bench.relay"
EVENT_TYPE = "relay.message"
GROUP_NAME = re.compile(r"^bench\.relay(\.[0-9]{1,9})?$")  # nothing else may be joined


class RelayConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        query = parse_qs(self.scope.get("query_string", b"").decode())
        named = (query.get("group") or [GROUP])[0]
        self.group = named if GROUP_NAME.match(named) else GROUP
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(getattr(self, "group", GROUP), self.channel_name)

    async def relay_message(self, event: dict[str, Any]) -> None:
        await self.send(text_data=event["text"])


async def http_ok(scope: dict[str, Any], receive: Any, send: Any) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"text/plain")],
        }
    )
    await send({"type": "http.response.body", "body": b"ok"})


application = ProtocolTypeRouter({"http": http_ok, "websocket": RelayConsumer.as_asgi()})
