"""The published OpenAPI schema describes what the API really answers: every list is a
page (``count``/``next``/``previous``/``results``, with its ``page`` and ``page_size``
parameters), and every operation documents the JSON error answers it can give."""

from __future__ import annotations

from typing import Any

import pytest
from drf_spectacular.generators import SchemaGenerator

# Every GET that answers a list of things. A new list endpoint belongs here.
LIST_OPERATIONS = {
    "/api/v1/cohorts/",
    "/api/v1/cohorts/{slug}/sessions/",
    "/api/v1/cohorts/{slug}/threads/",
    "/api/v1/competencies/",
    "/api/v1/resources/",
    "/api/v1/threads/{thread_id}/posts/",
    "/api/v1/trainings/",
    "/api/v1/me/trainings/completions/",
    "/api/v1/journal/entries/",
    "/api/v1/journal/self-assessments/",
    "/api/v1/journal/packets/",
    "/api/v1/journal/packets/{id}/exports/",
}
PAGE_FIELDS = {"count", "next", "previous", "results"}


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


def resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = schema["components"]["schemas"][name]
    return node


def operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    ]


def ok_body(schema: dict[str, Any], operation: dict[str, Any]) -> dict[str, Any]:
    return resolve(schema, operation["responses"]["200"]["content"]["application/json"]["schema"])


def is_page(body: dict[str, Any]) -> bool:
    properties = body.get("properties", {})
    return (
        set(body.get("required", [])) >= PAGE_FIELDS
        and properties.get("results", {}).get("type") == "array"
    )


@pytest.mark.parametrize("path", sorted(LIST_OPERATIONS))
def test_every_list_answers_a_page_of_results(schema: dict[str, Any], path: str) -> None:
    operation = schema["paths"][path]["get"]
    body = ok_body(schema, operation)
    assert is_page(body), f"GET {path} is not described as a page: {body}"
    assert {"page", "page_size"} <= {p["name"] for p in operation.get("parameters", [])}


def test_no_other_operation_is_described_as_a_page_or_a_bare_list(
    schema: dict[str, Any],
) -> None:
    for path, method, operation in operations(schema):
        if method != "get" or "200" not in operation["responses"] or path in LIST_OPERATIONS:
            continue
        body = ok_body(schema, operation)
        assert body.get("type") != "array", f"GET {path} is a bare list"
        assert not is_page(body), f"GET {path} is a page: add it to LIST_OPERATIONS"


def test_a_cohort_without_an_enrollment_period_matches_the_schema(
    schema: dict[str, Any],
) -> None:
    cohort = schema["components"]["schemas"]["Cohort"]
    assert cohort["properties"]["enrollment_period"].get("nullable") is True


def error_statuses(operation: dict[str, Any]) -> set[str]:
    return {code for code in operation["responses"] if code.startswith(("4", "5"))}


def test_every_operation_documents_its_json_errors(schema: dict[str, Any]) -> None:
    for path, method, operation in operations(schema):
        expected = {"401", "429"}
        if "{" in path or path in LIST_OPERATIONS:
            expected.add("404")  # a missing object, or a page past the end
        if "requestBody" in operation:
            expected |= {"400", "415"}
        missing = expected - error_statuses(operation)
        assert not missing, f"{method.upper()} {path} does not document {sorted(missing)}"
        for code in error_statuses(operation):
            body = resolve(
                schema, operation["responses"][code]["content"]["application/json"]["schema"]
            )
            assert {"detail", "code"} <= set(body["required"]), (method, path, code)


def test_the_catch_up_parameter_documents_its_refusal(schema: dict[str, Any]) -> None:
    operation = schema["paths"]["/api/v1/threads/{thread_id}/posts/"]["get"]
    assert "400" in operation["responses"]


def test_joining_documents_each_answer_it_gives(schema: dict[str, Any]) -> None:
    responses = schema["paths"]["/api/v1/cohorts/{slug}/join/"]["post"]["responses"]
    assert {"200", "201", "400", "403", "404", "409"} <= set(responses)
