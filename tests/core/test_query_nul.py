"""A NUL character in an address is refused with a 400 before any view runs.

No stored value holds one and PostgreSQL refuses a query that compares with one, so before
this every filter and search that reached the database answered a server error on
PostgreSQL (the resource lists, the journal home, the trainings catalog, the journal API).
The suite runs on PostgreSQL as well (``make test-services``), where these would fail."""

from __future__ import annotations

from typing import Any

import pytest
from channels.testing import WebsocketCommunicator
from django.http.cookie import parse_cookie
from django.test import Client

from accounts.models import User
from cohorts.models import Cohort
from config.asgi import application

pytestmark = pytest.mark.django_db

NUL_MESSAGE = "The address holds a NUL character (%00), which no value here can contain."


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/resources/", {"q": "a\x00b"}),
        ("/resources/", {"tag": "x\x00"}),
        ("/journal/", {"area": "\x00"}),
        ("/journal/", {"cohort": "home\x00", "area": "partnerships"}),
        ("/trainings/", {"competency": "PAR\x001"}),
        ("/search/", {"q": "\x00"}),
        ("/", {"page\x00": "1"}),  # in a parameter's name too
    ],
)
def test_a_page_asked_with_a_nul_character_answers_400_saying_why(
    member_client: Client, framework: Any, cohort: Cohort, path: str, query: dict[str, str]
) -> None:
    response = member_client.get(path, query)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert NUL_MESSAGE in response.content.decode()
    assert "Content-Security-Policy" in response  # the site's page, with its headers


@pytest.mark.parametrize("where", ["query", "path"])
def test_a_cohort_page_with_a_nul_character_answers_400(
    member_client: Client, cohort: Cohort, where: str
) -> None:
    if where == "query":
        response = member_client.get(f"/cohorts/{cohort.slug}/resources/", {"kind": "link\x00"})
    else:
        response = member_client.get(f"/cohorts/{cohort.slug}%00/resources/")
    assert response.status_code == 400
    assert NUL_MESSAGE in response.content.decode()


# How a browser (or anyone) can send a session cookie that decodes to a NUL character: the
# cookie parser turns the octal escape of a quoted value into one.
NUL_SESSION_COOKIE = 'sessionid="abcdefgh\\000ijkl"'


def test_the_escaped_cookie_does_decode_to_a_nul_character() -> None:
    assert parse_cookie(NUL_SESSION_COOKIE)["sessionid"] == "abcdefgh\x00ijkl"


def test_a_session_cookie_holding_a_nul_character_is_ignored(
    client: Client, framework: Any
) -> None:
    """The session cookie is looked up in the database, which refuses a NUL on PostgreSQL;
    the visitor is simply not signed in."""
    response = client.get("/journal/", HTTP_COOKIE=NUL_SESSION_COOKIE)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.get("/accounts/login/", HTTP_COOKIE=NUL_SESSION_COOKIE).status_code == 200


@pytest.mark.django_db(transaction=True)
async def test_a_socket_with_such_a_session_cookie_is_anonymous() -> None:
    headers = [
        (b"origin", b"http://testserver"),
        (b"host", b"testserver"),
        (b"cookie", NUL_SESSION_COOKIE.encode()),
    ]
    communicator = WebsocketCommunicator(application, "/ws/", headers=headers)
    connected, _ = await communicator.connect()
    assert connected  # accepted so that the close code reaches the client
    assert await communicator.receive_output(timeout=2) == {"type": "websocket.close", "code": 4401}
    await communicator.wait()


def test_an_api_token_holding_a_nul_character_is_refused_as_unknown(
    api: Any, framework: Any
) -> None:
    response = Client(HTTP_AUTHORIZATION="Token abc\x00def").get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/journal/entries/?status=%00%24",
        "/api/v1/journal/self-assessments/?area=a%00",
        "/api/v1/me/?x=%00",  # an operation without parameters refuses it the same way
        "/api/v1/cohorts/a%00b/",  # and in the path
    ],
)
def test_the_api_answers_json_400(
    api: Any, member: User, framework: Any, settings: Any, debug: bool, path: str
) -> None:
    settings.DEBUG = debug
    response = api(member).get(path)
    assert response.status_code == 400
    assert response.json() == {"detail": NUL_MESSAGE, "code": "invalid"}


def test_the_schema_declares_the_400_for_every_operation(api: Any, member: User) -> None:
    schema = api(member).get("/api/schema/", {"format": "json"}).json()
    operations = [op for item in schema["paths"].values() for op in item.values()]
    assert operations
    missing = [op["operationId"] for op in operations if "400" not in op["responses"]]
    assert missing == []


def test_an_ordinary_query_is_untouched(member_client: Client, framework: Any) -> None:
    assert member_client.get("/resources/", {"q": "partnership"}).status_code == 200
    assert member_client.get("/journal/", {"area": "partnerships"}).status_code == 200
