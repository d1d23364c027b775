"""The client's address, the one place that decides whether to believe X-Forwarded-For; and
the cookies a request's NUL characters make the site ignore."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping

from django.conf import settings
from django.http import HttpRequest


def forwarded_client(forwarded_for: str, peer: str, proxies: int) -> str:
    """The client address behind ``proxies`` trusted proxies.

    Each proxy appends the address it saw to X-Forwarded-For, so the N-th entry from the
    right was written by the outermost trusted proxy; everything left of it came from the
    client and is ignored. With no trusted proxy, or no usable entry, the peer's address
    counts."""
    if proxies <= 0:
        return peer
    entries = [entry.strip() for entry in forwarded_for.split(",") if entry.strip()]
    if not entries:
        return peer
    candidate = entries[-min(proxies, len(entries))]
    try:
        ipaddress.ip_address(candidate)
    except ValueError:
        return peer
    return candidate


def client_address(request: HttpRequest) -> str:
    """The address rate limits count for ``request``: X-Forwarded-For is believed only when
    BEHIND_PROXY says how many proxies of ours stand in front (settings.PROXY_COUNT)."""
    return forwarded_client(
        request.META.get("HTTP_X_FORWARDED_FOR", ""),
        request.META.get("REMOTE_ADDR", ""),
        getattr(settings, "PROXY_COUNT", 0),
    )


def cookies_without_nul(cookies: Mapping[str, str]) -> dict[str, str]:
    """``cookies`` less any whose name or value holds a NUL character. The site never sets
    one, and the session cookie is looked up in the database, where PostgreSQL refuses it
    (``sessionid="x\\000"`` is an escape the cookie parser decodes): such a cookie is
    treated as not sent, on pages (core.middleware.NulCookieMiddleware) and sockets
    (core.consumers.socket_auth_stack) alike."""
    return {name: value for name, value in cookies.items() if "\x00" not in name + value}
