"""The API keeps its published contract: schemathesis drives every operation of
``/api/schema/`` against the ASGI application, as a signed-in member of a seeded cohort,
and every answer must be a documented status with a documented JSON body.

The journal's operations are driven by ``tests/journals/test_api_contract.py`` instead, as
a member with entries, evidence and self-assessments for them to find (with the same checks
and as many examples): driving them here too repeated the same generated requests against
a member without a journal."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.services import api_token_reset
from config.asgi import application
from discussions.services import post_create
from tests.helpers import JOURNAL_API_PATHS, outside_shard

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def api_schema(transactional_db: Any) -> Any:
    return schemathesis.openapi.from_asgi("/api/schema/", application)


@pytest.fixture
def contract_state(member, cohort, thread) -> dict[str, Any]:
    from resources.services import ResourceInput, resource_create

    post, _ = post_create(thread=thread, author=member, body="A reply to edit")
    resource = resource_create(
        cohort=cohort,
        by=member,
        kind="link",
        data=ResourceInput(title="A guide", url="https://example.org/guide"),
    )
    return {
        "token": api_token_reset(user=member).key,
        # Every other case is sent to objects that exist, so the happy paths are driven as
        # well as the made-up identifiers.
        "real": itertools.cycle([False, True]),
        "path": {
            "slug": cohort.slug,
            "thread_id": thread.pk,
            "post_id": post.pk,
            "id": resource.pk,
        },
    }


schema = schemathesis.pytest.from_fixture("api_schema").exclude(path_regex=JOURNAL_API_PATHS)
# The operations are split into shards, each a test of its own, so the test workers share them.
SHARDS = 4


def _contract_test(shard: int) -> Any:
    @schema.exclude(func=outside_shard(shard, SHARDS)).parametrize()
    @settings(
        max_examples=15,
        derandomize=True,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    def test(case: Any, contract_state: dict[str, Any]) -> None:
        if case.path_parameters and next(contract_state["real"]):
            # A parameter no seeded object stands for keeps its generated value.
            known = contract_state["path"]
            case.path_parameters = {
                name: known.get(name, value) for name, value in case.path_parameters.items()
            }
        case.call_and_validate(
            headers={"Authorization": f"Token {contract_state['token']}"}, checks=CHECKS
        )

    return pytest.mark.xdist_group(f"api-contract-{shard}")(test)


test_every_operation_keeps_to_the_published_schema_0 = _contract_test(0)
test_every_operation_keeps_to_the_published_schema_1 = _contract_test(1)
test_every_operation_keeps_to_the_published_schema_2 = _contract_test(2)
test_every_operation_keeps_to_the_published_schema_3 = _contract_test(3)
