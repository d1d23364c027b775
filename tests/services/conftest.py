"""Fixtures for the multi-process tests: two real daphne servers sharing one Redis layer.

The servers are stopped when the module's tests are done; their output is attached to the
report of any test that fails.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.services.servers import Server, free_port, require_services, start, stop


@pytest.fixture(scope="module")
def services_ready() -> None:
    require_services()


@pytest.fixture(scope="module")
def two_servers(
    services_ready: None,
    django_db_setup: Any,
    tmp_path_factory: pytest.TempPathFactory,
    request: pytest.FixtureRequest,
) -> Iterator[tuple[Server, Server]]:
    """Two daphne processes on free ports, sharing the test database and the Redis layer."""
    logs = tmp_path_factory.mktemp("daphne")
    servers = [Server(name, free_port(), logs / f"{name}.log") for name in ("A", "B")]
    request.addfinalizer(lambda: stop(servers))
    start(servers)
    yield servers[0], servers[1]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    servers = getattr(item, "funcargs", {}).get("two_servers")
    if report.failed and servers:
        for server in servers:
            report.sections.append((f"daphne {server.name} output", server.output()))
