"""Rate limits count real clients: X-Forwarded-For is believed only behind a configured
number of proxies (BEHIND_PROXY), and then only the address the nearest trusted proxy saw
(the N-th from the right), everywhere a client address is used."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client, RequestFactory
from twisted.web.http_headers import Headers

from core.http import client_address

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def api_anon_rate(settings: Any) -> Iterator[None]:
    """The API's anonymous rate lowered to 3 a minute (DRF caches its settings)."""
    from rest_framework.settings import api_settings
    from rest_framework.throttling import SimpleRateThrottle

    def apply() -> None:
        api_settings.reload()
        SimpleRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES

    original = settings.REST_FRAMEWORK
    settings.REST_FRAMEWORK = {
        **original,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/min", "user": "1000/min"},
    }
    apply()
    yield
    settings.REST_FRAMEWORK = original
    apply()


@pytest.fixture
def behind_one_proxy(settings: Any) -> None:
    settings.PROXY_COUNT = 1
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    from rest_framework.settings import api_settings

    api_settings.reload()


@pytest.mark.django_db
def test_made_up_forwarded_for_does_not_dodge_the_anonymous_api_limit(
    client: Client, api_anon_rate: None
) -> None:
    statuses = [
        client.get("/api/v1/competencies/", HTTP_X_FORWARDED_FOR=f"10.9.8.{n}").status_code
        for n in range(5)
    ]
    assert statuses == [200, 200, 200, 429, 429]


@pytest.mark.django_db
def test_behind_a_proxy_the_api_limit_counts_the_address_the_proxy_saw(
    api_anon_rate: None, behind_one_proxy: None
) -> None:
    client = Client(REMOTE_ADDR="10.0.0.2")  # the proxy
    statuses = [
        client.get(
            "/api/v1/competencies/", HTTP_X_FORWARDED_FOR=f"10.9.8.{n}, 203.0.113.9"
        ).status_code
        for n in range(5)
    ]
    assert statuses == [200, 200, 200, 429, 429]
    other = client.get("/api/v1/competencies/", HTTP_X_FORWARDED_FOR="10.9.8.1, 203.0.113.10")
    assert other.status_code == 200


def test_client_address_ignores_forwarded_for_without_a_proxy(settings: Any) -> None:
    settings.PROXY_COUNT = 0
    request = RequestFactory().get(
        "/", REMOTE_ADDR="198.51.100.4", HTTP_X_FORWARDED_FOR="203.0.113.1"
    )
    assert client_address(request) == "198.51.100.4"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (1, "203.0.113.1, 198.51.100.7", "198.51.100.7"),
        (1, "198.51.100.7", "198.51.100.7"),
        (2, "203.0.113.1, 198.51.100.7, 10.0.0.3", "198.51.100.7"),
        (2, "198.51.100.7", "198.51.100.7"),
        (1, "", "10.0.0.2"),
        (1, "not-an-address", "10.0.0.2"),
    ],
)
def test_client_address_behind_proxies_is_the_nth_from_the_right(
    settings: Any, proxies: int, forwarded: str, expected: str
) -> None:
    settings.PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


@pytest.mark.django_db
def test_login_limits_count_the_address_the_proxy_saw(behind_one_proxy: None) -> None:
    client = Client(REMOTE_ADDR="10.0.0.2")
    # Ten failures (different accounts, so only the per-address limit counts) from A...
    for n in range(10):
        client.post(
            "/accounts/login/",
            {"login": f"someone{n}@example.org", "password": "wrong-password"},
            HTTP_X_FORWARDED_FOR=f"10.9.8.{n}, 203.0.113.9",
        )
    refused = client.post(
        "/accounts/login/",
        {"login": "another@example.org", "password": "wrong-password"},
        HTTP_X_FORWARDED_FOR="10.9.8.200, 203.0.113.9",
    )
    assert "Too many failed login attempts" in refused.content.decode()
    # ... while B, behind the same proxy, is not refused.
    other = client.post(
        "/accounts/login/",
        {"login": "another@example.org", "password": "wrong-password"},
        HTTP_X_FORWARDED_FOR="203.0.113.9, 203.0.113.10",
    )
    assert "Too many failed login attempts" not in other.content.decode()


@pytest.mark.django_db
def test_login_limits_ignore_made_up_forwarded_for() -> None:
    client = Client(REMOTE_ADDR="198.51.100.4")
    for n in range(10):
        client.post(
            "/accounts/login/",
            {"login": f"someone{n}@example.org", "password": "wrong-password"},
            HTTP_X_FORWARDED_FOR=f"10.9.8.{n}",
        )
    refused = client.post(
        "/accounts/login/",
        {"login": "another@example.org", "password": "wrong-password"},
        HTTP_X_FORWARDED_FOR="10.9.8.200",
    )
    assert "Too many failed login attempts" in refused.content.decode()


def _settings_values(**env_vars: str) -> tuple[int, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    for name in ("BEHIND_PROXY", "HTTPS"):
        env.pop(name, None)
    env.update({"DJANGO_DEBUG": "0", "SECRET_KEY": "x" * 60, **env_vars})
    script = (
        "import django,os;os.environ['DJANGO_SETTINGS_MODULE']='config.settings';django.setup();"
        "from django.conf import settings as s;"
        "print(s.PROXY_COUNT, s.REST_FRAMEWORK['NUM_PROXIES'], s.ALLAUTH_TRUSTED_PROXY_COUNT,"
        " getattr(s, 'SECURE_PROXY_SSL_HEADER', None) is not None)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    return result.returncode, result.stdout.strip() + result.stderr


@pytest.mark.parametrize(
    ("env_vars", "expected"),
    [
        ({}, "0 0 0 False"),
        ({"BEHIND_PROXY": "1"}, "1 1 1 True"),
        ({"BEHIND_PROXY": "on"}, "1 1 1 True"),
        ({"BEHIND_PROXY": "2"}, "2 2 2 True"),
        ({"HTTPS": "1"}, "1 1 1 True"),
        ({"HTTPS": "1", "BEHIND_PROXY": "0"}, "0 0 0 False"),
    ],
)
def test_behind_proxy_sets_every_trusted_proxy_count(
    env_vars: dict[str, str], expected: str
) -> None:
    returncode, output = _settings_values(**env_vars)
    assert returncode == 0, output
    assert output == expected


def test_a_bad_behind_proxy_value_is_refused_with_a_clear_message() -> None:
    returncode, output = _settings_values(BEHIND_PROXY="nginx")
    assert returncode != 0
    assert "BEHIND_PROXY must be the number of proxies" in output


# --- daphne (manage.py serve) ---------------------------------------------------------------


def test_serve_reads_the_address_the_nearest_trusted_proxy_saw(settings: Any) -> None:
    from core.management.commands.serve import forwarded_address_parser

    parse = forwarded_address_parser(1)
    headers = Headers(
        {b"X-Forwarded-For": [b"203.0.113.1, 198.51.100.7"], b"X-Forwarded-Proto": [b"https"]}
    )
    addr, scheme = parse(
        headers, "X-Forwarded-For", "X-Forwarded-Port", "X-Forwarded-Proto", ["10.0.0.2", 5555]
    )
    assert addr[0] == "198.51.100.7"
    assert scheme == "https"
    socket_headers = {b"x-forwarded-for": b"203.0.113.1, 198.51.100.7"}
    addr, _ = parse(socket_headers, "X-Forwarded-For", None, None, ["10.0.0.2", 5555])
    assert addr[0] == "198.51.100.7"
    two = forwarded_address_parser(2)
    addr, _ = two(headers, "X-Forwarded-For", None, None, ["10.0.0.2", 5555])
    assert addr[0] == "203.0.113.1"


@pytest.fixture
def daphne_argv(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    import daphne.http_protocol
    import daphne.server
    import daphne.ws_protocol
    from daphne.cli import CommandLineInterface

    for module, name in (
        (daphne.http_protocol, "parse_x_forwarded_for"),
        (daphne.ws_protocol, "parse_x_forwarded_for"),
        (daphne.server, "WebSocketFactory"),
    ):
        monkeypatch.setattr(module, name, getattr(module, name))
    calls: list[list[str]] = []
    monkeypatch.setattr(CommandLineInterface, "run", lambda self, argv: calls.append(argv))
    return calls


def test_serve_trusts_forwarded_headers_only_behind_a_proxy(
    settings: Any, daphne_argv: list[list[str]]
) -> None:
    import daphne.http_protocol
    import daphne.ws_protocol

    settings.PROXY_COUNT = 0
    call_command("serve", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert "--proxy-headers" not in daphne_argv[-1]

    settings.PROXY_COUNT = 1
    call_command("serve", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert "--proxy-headers" in daphne_argv[-1]
    spoofed = {b"x-forwarded-for": b"203.0.113.1, 198.51.100.7"}
    for module in (daphne.http_protocol, daphne.ws_protocol):
        addr, _ = module.parse_x_forwarded_for(spoofed, "X-Forwarded-For", None, None, None)
        assert addr[0] == "198.51.100.7"


def test_serve_refuses_proxy_headers_without_behind_proxy(
    settings: Any, daphne_argv: list[list[str]]
) -> None:
    settings.PROXY_COUNT = 0
    with pytest.raises(CommandError, match="BEHIND_PROXY"):
        call_command("serve", "--proxy-headers")
    assert daphne_argv == []
