"""The journal's endpoints keep to the published contract: schemathesis drives every
journal operation of ``/api/schema/`` against the ASGI application, as a member with
entries, evidence and self-assessments, and every answer must be a documented status with
a documented JSON body. The site-wide contract test (tests/core/test_api_contract.py)
drives every other operation and leaves these to this one, which gives them real objects
to find."""

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
from journals.services import EvidenceInput, RatingInput, evidence_add, self_assessment_take
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
def contract_state(member, home, write, partnerships) -> dict[str, Any]:
    entry = write(
        title="Shared with the cohort", visibility="cohort", competencies=["PAR-1"],
        framing_questions=["growth"],
    )  # fmt: skip
    evidence_add(
        entry=entry,
        by=member,
        data=EvidenceInput(kind="url", url="https://example.org/a", competency="PAR-1"),
    )
    sitting = self_assessment_take(
        user=member,
        area=partnerships,
        ratings=[RatingInput(competency=c, level=1) for c in partnerships.competencies.all()],
    )
    return {
        "token": api_token_reset(user=member).key,
        "real": itertools.cycle([False, True]),
        "ids": {"/api/v1/journal/entries/": entry.pk, "/api/v1/journal/self-": sitting.pk},
    }


schema = schemathesis.pytest.from_fixture("api_schema").include(path_regex=JOURNAL_API_PATHS)
# The operations are split into shards, each a test of its own, so the test workers share them.
SHARDS = 2


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
            real = next(v for k, v in contract_state["ids"].items() if case.path.startswith(k))
            case.path_parameters = {**case.path_parameters, "id": real}
        case.call_and_validate(
            headers={"Authorization": f"Token {contract_state['token']}"}, checks=CHECKS
        )

    return pytest.mark.xdist_group(f"journal-api-contract-{shard}")(test)


test_journal_operations_keep_to_the_published_schema_0 = _contract_test(0)
test_journal_operations_keep_to_the_published_schema_1 = _contract_test(1)
