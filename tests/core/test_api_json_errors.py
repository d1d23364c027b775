"""Every path under ``/api/`` answers JSON (``detail`` and ``code``) when it refuses a
request — an unknown path, a wrong method, a malformed or unreadable body — with DEBUG on
as well as off, so a client never has to parse an HTML error page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from accounts.services import api_token_reset
from discussions.models import Thread

pytestmark = [pytest.mark.django_db, pytest.mark.parametrize("debug", [False, True])]


@pytest.fixture
def client_for(member: User, settings: Any) -> Callable[[bool], Client]:
    def make(debug: bool) -> Client:
        settings.DEBUG = debug
        return Client(HTTP_AUTHORIZATION=f"Token {api_token_reset(user=member).key}")

    return make


def assert_json_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"]
    if code is not None:
        assert body["code"] == code
    return body


@pytest.mark.parametrize(
    "path", ["/api/v1/nope/", "/api/nope", "/api", "/api/", "/api/v1/cohorts/a/b/c/"]
)
def test_an_unknown_api_path_answers_json_404(client_for, debug: bool, path: str) -> None:
    client = client_for(debug)
    for method in ("get", "post", "delete"):
        body = assert_json_error(getattr(client, method)(path), 404)
        assert body == {"detail": "Not found.", "code": "not_found"}


def test_an_api_path_without_its_slash_answers_json_404(client_for, debug: bool) -> None:
    client = client_for(debug)
    assert_json_error(client.get("/api/v1/me"), 404, "not_found")
    assert_json_error(
        client.post("/api/v1/me", data={"name": "x"}, content_type="application/json"),
        404,
        "not_found",
    )


def test_an_unknown_api_path_answers_404_not_a_csrf_refusal(
    member: User, settings: Any, debug: bool
) -> None:
    settings.DEBUG = debug
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    assert_json_error(client.post("/api/v1/nope/"), 404, "not_found")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("delete", "/api/v1/me/"),
        ("put", "/api/v1/cohorts/"),
        ("post", "/api/schema/"),
        ("delete", "/api/schema/"),
        ("post", "/api/docs/"),
    ],
)
def test_a_wrong_method_answers_json_405(client_for, debug: bool, method: str, path: str) -> None:
    assert_json_error(getattr(client_for(debug), method)(path), 405, "method_not_allowed")


def test_a_body_of_the_wrong_type_answers_json_415(client_for, debug: bool) -> None:
    response = client_for(debug).patch("/api/v1/me/", data="name=x", content_type="text/plain")
    assert_json_error(response, 415, "unsupported_media_type")


def test_invalid_json_answers_json_400(client_for, debug: bool) -> None:
    response = client_for(debug).patch(
        "/api/v1/me/", data='{"name": "x"', content_type="application/json"
    )
    assert_json_error(response, 400, "parse_error")


@pytest.mark.parametrize(
    "body", [b"", b"--xyz--\r\n", b"not multipart at all"], ids=["empty", "no-parts", "garbage"]
)
def test_a_multipart_post_without_parts_answers_json_400(
    client_for, debug: bool, thread: Thread, body: bytes
) -> None:
    response = client_for(debug).post(
        f"/api/v1/threads/{thread.pk}/posts/",
        data=body,
        content_type="multipart/form-data; boundary=xyz",
    )
    answer = assert_json_error(response, 400, "invalid")
    assert "body" in answer["errors"]
    assert thread.posts.count() == 1


def test_too_many_fields_answers_json_400_saying_so(
    client_for, debug: bool, thread: Thread
) -> None:
    fields = "&".join(f"field{n}=1" for n in range(1500))
    response = client_for(debug).post(
        f"/api/v1/threads/{thread.pk}/posts/",
        data=fields,
        content_type="application/x-www-form-urlencoded",
    )
    answer = assert_json_error(response, 400, "too_many_fields")
    assert "too many fields" in answer["detail"]
    assert thread.posts.count() == 1


def test_an_oversize_body_answers_json_400_saying_so(
    client_for, debug: bool, thread: Thread, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = "body=" + "x" * 20_000
    response = client_for(debug).post(
        f"/api/v1/threads/{thread.pk}/posts/",
        data=body,
        content_type="application/x-www-form-urlencoded",
    )
    answer = assert_json_error(response, 400, "too_large")
    assert "too large" in answer["detail"]
    assert thread.posts.count() == 1
