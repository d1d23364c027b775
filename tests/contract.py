"""What the two API contract tests share (tests/core/test_api_contract.py and
tests/journals/test_api_contract.py): the checks every answer must pass, the example
settings, and the split of a contract test into shards the test workers run side by side.

Each contract module defines an ``api_schema`` fixture and a ``contract_state`` fixture (a
dict with ``token``, the member's API token, and ``real``, a cycle telling whether the next
case is sent to seeded objects), then builds its tests with :func:`sharded_contract_tests`."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

# The API operations the journal's contract test drives (with entries, evidence and
# self-assessments to find); the site-wide contract test drives every other operation, so
# each runs once.
JOURNAL_API_PATHS = "^/api/v1/journal/(entries|coverage|self-assessments)/"

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

# Given a case and the module's contract_state, the path parameters that name seeded objects.
RealPath = Callable[[Any, dict[str, Any]], dict[str, Any]]


def outside_shard(shard: int, shards: int) -> Callable[[Any], bool]:
    """A schemathesis filter true for the operations that belong to another shard (by a
    stable digest of the operation's label, so every worker splits alike)."""

    def matches(ctx: Any) -> bool:
        return zlib.crc32(ctx.operation.label.encode()) % shards != shard

    return matches


def sharded_contract_tests(
    schema: Any, *, shards: int, group: str, real_path: RealPath
) -> list[Any]:
    """``shards`` tests that together drive every operation of ``schema``, 15 derandomized
    examples each, as the member whose token ``contract_state`` holds. Every other case with
    path parameters is sent to seeded objects (``real_path``), so the happy paths are driven
    as well as the made-up identifiers. Each shard is an xdist group of its own."""

    def make(shard: int) -> Any:
        @schema.exclude(func=outside_shard(shard, shards)).parametrize()
        @settings(
            max_examples=15,
            derandomize=True,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
        def test(case: Any, contract_state: dict[str, Any]) -> None:
            if case.path_parameters and next(contract_state["real"]):
                case.path_parameters = real_path(case, contract_state)
            case.call_and_validate(
                headers={"Authorization": f"Token {contract_state['token']}"}, checks=CHECKS
            )

        return pytest.mark.xdist_group(f"{group}-{shard}")(test)

    return [make(shard) for shard in range(shards)]
