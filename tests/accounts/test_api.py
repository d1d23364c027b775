from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from accounts.models import User

pytestmark = pytest.mark.django_db


def test_me_requires_authentication_with_a_json_401(client: Client) -> None:
    response = client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json() == {
        "detail": "Authentication credentials were not provided.",
        "code": "not_authenticated",
    }


def test_me_returns_the_signed_in_user(member_client: Client, member: User) -> None:
    data = member_client.get("/api/v1/me/").json()
    assert data["id"] == member.pk
    assert data["email"] == "member@example.org"
    assert data["roles"] == []


def test_me_patch_updates_the_profile(member_client: Client, member: User) -> None:
    response = member_client.patch(
        "/api/v1/me/",
        {"pronouns": "they/them", "email": "hijack@example.org"},
        content_type="application/json",
    )
    assert response.status_code == 200
    member.refresh_from_db()
    assert member.pronouns == "they/them"
    assert member.email == "member@example.org"  # read-only through the API


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"time_zone": "Nowhere/Town"}, "time_zone"),
        ({"name": "   "}, "name"),
        ({"show_identities": "perhaps"}, "show_identities"),
        ({"pronouns": "x" * 51}, "pronouns"),
    ],
)
def test_me_patch_with_bad_payload_answers_400_per_field_and_changes_nothing(
    member_client: Client, member: User, payload: dict[str, Any], field: str
) -> None:
    before = User.objects.values().get(pk=member.pk)
    response = member_client.patch("/api/v1/me/", payload, content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["errors"]
    assert User.objects.values().get(pk=member.pk) == before


def test_malformed_json_body_answers_400(member_client: Client) -> None:
    response = member_client.patch("/api/v1/me/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_session_writes_need_csrf(member: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    response = client.patch("/api/v1/me/", {"pronouns": "x"}, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_schema_is_valid_openapi_3(client: Client) -> None:
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/me/" in schema["paths"]
    assert "/api/v1/competencies/" in schema["paths"]


def test_schema_passes_the_openapi_validator(client: Client) -> None:
    from drf_spectacular.validation import validate_schema

    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    validate_schema(schema)  # raises on an invalid document


def test_api_docs_are_served_without_any_cdn(client: Client) -> None:
    html = client.get("/api/docs/").content.decode()
    assert "swagger" in html.lower()
    for url in __import__("re").findall(r'(?:src|href)="([^"]+)"', html):
        assert url.startswith("/"), f"external asset {url}"


def test_anonymous_api_calls_are_throttled(client: Client, settings: Any) -> None:
    original = settings.REST_FRAMEWORK
    settings.REST_FRAMEWORK = {
        **original,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/min", "user": "1000/min"},
    }
    from rest_framework.settings import api_settings
    from rest_framework.throttling import SimpleRateThrottle

    api_settings.reload()
    SimpleRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    try:
        statuses = [client.get("/api/v1/competencies/").status_code for _ in range(5)]
        refused = client.get("/api/v1/competencies/").json()
    finally:
        # DRF keeps the rates on the throttle class: put the suite's back for later tests.
        settings.REST_FRAMEWORK = original
        api_settings.reload()
        SimpleRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    assert statuses[:3] == [200, 200, 200]
    assert statuses[3:] == [429, 429]
    assert refused["code"] == "throttled"
