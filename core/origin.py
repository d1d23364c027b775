"""Which pages may open the site's WebSocket: an ``Origin`` that matches one of the site's
own origins exactly, scheme, host and port.

Allowed are ``SITE_URL``, every ``CSRF_TRUSTED_ORIGINS`` entry (``https://*.example.com``
covers subdomains, as in Django), and a host of ``ALLOWED_HOSTS`` on the port and scheme the
connection itself came in on (the ``Host`` header's port; ``ws`` pairs with ``http``,
``wss`` with ``https``). A page served on another port of an allowed host is another origin
and is refused, as is a connection without an ``Origin`` (browsers always send one).
Channels' ``AllowedHostsOriginValidator``, which this replaces, ignored the port.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import SplitResult, urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host
from django.utils.http import is_same_domain

DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
PAGE_SCHEMES = {"ws": "http", "wss": "https"}


def _parse(origin: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an origin, with the scheme's default port, or None."""
    try:
        parts: SplitResult = urlsplit(origin.strip().lower())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        return None
    return parts.scheme, parts.hostname, port or DEFAULT_PORTS[parts.scheme]


def _matches_trusted(origin: tuple[str, str, int], trusted: str) -> bool:
    """``trusted`` is a full origin; ``https://*.example.com`` also covers subdomains."""
    subdomains = "://*." in trusted
    pattern = _parse(trusted.replace("://*.", "://", 1))
    if pattern is None:
        return False
    scheme, host, port = origin
    if (scheme, port) != (pattern[0], pattern[2]):
        return False
    return is_same_domain(host, "." + pattern[1]) if subdomains else host == pattern[1]


def origin_allowed(
    origin: str | None, *, scheme: str, host_header: str | None, server_port: int | None
) -> bool:
    """Whether a WebSocket handshake with this ``Origin`` comes from one of the site's own
    pages. ``scheme`` is the connection's (``ws``/``wss``), ``host_header`` the ``Host``
    it was sent to, ``server_port`` the port it arrived on (used without a ``Host``)."""
    if not origin:
        return False
    parsed = _parse(origin)
    if parsed is None:
        return False
    for trusted in [settings.SITE_URL, *settings.CSRF_TRUSTED_ORIGINS]:
        if _matches_trusted(parsed, trusted):
            return True
    # A host of ALLOWED_HOSTS, on the port and scheme this connection came in on.
    page_scheme = PAGE_SCHEMES.get(scheme)
    if host_header:
        _domain, port_text = split_domain_port(host_header.lower())
        served_port = int(port_text) if port_text else DEFAULT_PORTS.get(scheme)
    else:
        served_port = server_port
    origin_scheme, origin_host, origin_port = parsed
    host = f"[{origin_host}]" if ":" in origin_host else origin_host
    return (
        origin_scheme == page_scheme
        and origin_port == served_port
        and validate_host(host, settings.ALLOWED_HOSTS)
    )


class SiteOriginValidator:
    """ASGI middleware: refuse (HTTP 403 at the handshake) a WebSocket whose ``Origin`` is
    not one of the site's own origins."""

    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if scope["type"] != "websocket":
            raise ValueError("SiteOriginValidator only guards WebSocket connections.")
        headers = {}
        for name, value in scope.get("headers", []):
            headers[name.lower()] = value.decode("latin1")
        server = scope.get("server") or (None, None)
        allowed = origin_allowed(
            headers.get(b"origin"),
            scheme=scope.get("scheme", "ws"),
            host_header=headers.get(b"host"),
            server_port=server[1],
        )
        if allowed:
            return await self.application(scope, receive, send)
        return await WebsocketDenier()(scope, receive, send)
