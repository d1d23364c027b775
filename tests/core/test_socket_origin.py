"""The socket's Origin must be one of the site's own origins: scheme, host and port."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from channels.testing import WebsocketCommunicator

from config.asgi import application
from core.origin import origin_allowed

pytestmark = [pytest.mark.django_db(transaction=True)]


async def _handshake(headers: list[tuple[bytes, bytes]]) -> bool:
    communicator = WebsocketCommunicator(application, "/ws/", headers=headers)
    connected, _ = await communicator.connect()
    with contextlib.suppress(Exception):
        await communicator.disconnect()
    return connected


@pytest.fixture(autouse=True)
def _site(settings: Any) -> None:
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
    settings.SITE_URL = "https://commonplace.example.org"
    settings.CSRF_TRUSTED_ORIGINS = ["https://cp.partner.example", "https://*.cohorts.example"]


async def test_origin_on_another_port_of_an_allowed_host_is_refused() -> None:
    headers = [(b"origin", b"http://127.0.0.1:9999"), (b"host", b"127.0.0.1:8000")]
    assert not await _handshake(headers)


async def test_the_exact_origin_of_the_served_host_and_port_is_accepted() -> None:
    headers = [(b"origin", b"http://127.0.0.1:8000"), (b"host", b"127.0.0.1:8000")]
    assert await _handshake(headers)


async def test_default_port_is_the_same_origin_written_with_or_without_it() -> None:
    headers = [(b"origin", b"http://testserver:80"), (b"host", b"testserver")]
    assert await _handshake(headers)


async def test_site_url_origin_is_accepted_whatever_port_the_server_listens_on() -> None:
    # Behind a proxy: the browser's origin is SITE_URL, the server sees its own port.
    headers = [(b"origin", b"https://commonplace.example.org"), (b"host", b"127.0.0.1:8000")]
    assert await _handshake(headers)


@pytest.mark.parametrize("origin", [b"https://cp.partner.example", b"https://live.cohorts.example"])
async def test_csrf_trusted_origins_are_accepted(origin: bytes) -> None:
    assert await _handshake([(b"origin", origin), (b"host", b"127.0.0.1:8000")])


@pytest.mark.parametrize(
    "origin",
    [
        b"http://commonplace.example.org",  # SITE_URL's host on another scheme
        b"https://commonplace.example.org:8443",  # ... or port
        b"http://cp.partner.example",
        b"https://cohorts.example.evil.test",
        b"http://evil.example",
        b"null",
    ],
)
async def test_other_origins_are_refused(origin: bytes) -> None:
    assert not await _handshake([(b"origin", origin), (b"host", b"127.0.0.1:8000")])


async def test_missing_origin_is_refused() -> None:
    assert not await _handshake([(b"host", b"127.0.0.1:8000")])


def test_allowed_host_origin_must_match_the_connections_scheme(settings: Any) -> None:
    settings.ALLOWED_HOSTS = ["example.net"]
    settings.SITE_URL = "https://elsewhere.example"
    settings.CSRF_TRUSTED_ORIGINS = []
    allowed = {"host_header": "example.net", "server_port": 8000}
    assert origin_allowed("https://example.net", scheme="wss", **allowed)
    assert not origin_allowed("http://example.net", scheme="wss", **allowed)
    assert not origin_allowed("https://example.net", scheme="ws", **allowed)
    assert origin_allowed("http://example.net", scheme="ws", **allowed)
    # Without a Host header the port the connection arrived on decides.
    direct = {"scheme": "ws", "host_header": None, "server_port": 8000}
    assert origin_allowed("http://example.net:8000", **direct)
    assert not origin_allowed("http://example.net:8001", **direct)
