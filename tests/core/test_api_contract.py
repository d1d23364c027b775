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

from accounts.services import api_token_reset
from config.asgi import application
from discussions.services import post_create
from tests.contract import JOURNAL_API_PATHS, sharded_contract_tests


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


def _real_path(case: Any, contract_state: dict[str, Any]) -> dict[str, Any]:
    # A parameter no seeded object stands for keeps its generated value.
    known = contract_state["path"]
    return {name: known.get(name, value) for name, value in case.path_parameters.items()}


# Split into shards, each a test of its own, so the test workers share them.
(
    test_every_operation_keeps_to_the_published_schema_0,
    test_every_operation_keeps_to_the_published_schema_1,
    test_every_operation_keeps_to_the_published_schema_2,
    test_every_operation_keeps_to_the_published_schema_3,
) = sharded_contract_tests(schema, shards=4, group="api-contract", real_path=_real_path)
