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

from accounts.services import api_token_reset
from config.asgi import application
from journals.services import EvidenceInput, RatingInput, evidence_add, self_assessment_take
from tests.contract import JOURNAL_API_PATHS, sharded_contract_tests


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


def _real_path(case: Any, contract_state: dict[str, Any]) -> dict[str, Any]:
    ids = contract_state["ids"]
    real = next(v for k, v in ids.items() if case.path.startswith(k))
    return {**case.path_parameters, "id": real}


# Split into shards, each a test of its own, so the test workers share them.
(
    test_journal_operations_keep_to_the_published_schema_0,
    test_journal_operations_keep_to_the_published_schema_1,
) = sharded_contract_tests(schema, shards=2, group="journal-api-contract", real_path=_real_path)
