"""The "My data" export: a ZIP of data.json (one key per data source) and files/, built as
an export task, owner-only, with a notification; the page and the API."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Notification, User
from accounts.services_data import DATA_EXPORT_KIND, NOTIFICATION_KIND, data_export_request
from core.data import data_sources
from files.models import Export
from tests.accounts import mydata_fixtures
from tests.accounts.mydata_fixtures import Life

life = mydata_fixtures.life
_media = mydata_fixtures._media

pytestmark = pytest.mark.django_db


def _download(client: Client, export: Export) -> zipfile.ZipFile:
    response = client.get(reverse("files:export_download", args=[export.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def _export_now(user: User, capture: Any) -> Export:
    with capture(execute=True):
        export = data_export_request(user=user)
    export.refresh_from_db()
    return export


def test_data_export_zip_holds_data_json_per_source_and_the_files(
    life: Life, signed_in: Callable[[User], Client], django_capture_on_commit_callbacks: Any
) -> None:
    export = _export_now(life.person, django_capture_on_commit_callbacks)
    assert export.status == Export.Status.DONE, export.error
    archive = _download(signed_in(life.person), export)
    names = archive.namelist()
    assert "data.json" in names and "README.txt" in names
    assert "files/evidence/field-notes.txt" in names
    assert "files/letters/letter.txt" in names
    assert archive.read("files/evidence/field-notes.txt") == b"Notes from the site visit.\n"

    data = json.loads(archive.read("data.json"))
    assert set(data) == {s.name for s in data_sources()}
    assert set(data) >= {
        "account",
        "cohorts",
        "discussions",
        "resources",
        "trainings",
        "journals",
        "packets",
    }
    assert data["account"]["email"] == life.person.email
    assert data["account"]["name"] == life.person.name
    assert [m["cohort__slug"] for m in data["cohorts"]["memberships"]] == [life.cohort.slug]
    assert [p["body"] for p in data["discussions"]["posts"]] == ["Who decides the agenda?"]
    assert [t["title"] for t in data["discussions"]["threads_started"]] == ["Sharing power"]
    assert [r["title"] for r in data["resources"]["resources"]] == ["Agenda template"]
    entry = data["journals"]["entries"][0]
    assert entry["title"] == "My private doubts"
    assert entry["body"] == "Only for me: **doubts**."
    assert entry["evidence"][0]["file"] == "files/evidence/field-notes.txt"
    assert entry["evidence"][0]["annotation"] == "What I saw"
    assert data["journals"]["self_assessments"][0]["note"] == "Growing."
    assert data["journals"]["self_assessments"][0]["ratings"]
    packet = data["packets"]["packets"][0]
    assert packet["area"] == "partnerships"
    assert packet["sections"]
    assert packet["letters"][0]["letter_file"] == "files/letters/letter.txt"
    # Only the person's own: the other member's reply is not in it.
    assert "The partners should." not in archive.read("data.json").decode()


def test_data_export_notifies_its_owner_with_the_my_data_link(
    life: Life, django_capture_on_commit_callbacks: Any
) -> None:
    _export_now(life.person, django_capture_on_commit_callbacks)
    note = Notification.objects.get(user=life.person, kind=NOTIFICATION_KIND)
    assert note.url == reverse("accounts:my_data")


def test_data_export_download_is_for_its_owner_only(
    life: Life,
    signed_in: Callable[[User], Client],
    client_for: Callable[[User | None], Client],
    django_capture_on_commit_callbacks: Any,
) -> None:
    export = _export_now(life.person, django_capture_on_commit_callbacks)
    url = reverse("files:export_download", args=[export.pk])
    assert client_for(life.other).get(url).status_code == 404
    assert client_for(None).get(url).status_code in (302, 404)
    assert signed_in(life.person).get(url).status_code == 200


def test_my_data_page_requests_an_export_and_lists_it(
    member: User, member_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    page = member_client.get(reverse("accounts:my_data"))
    assert page.status_code == 200
    assert "Export my data" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post(reverse("accounts:my_data_request"))
    assert response.status_code == 302
    export = Export.objects.get(owner=member)
    assert export.kind == DATA_EXPORT_KIND
    assert export.status == Export.Status.DONE
    page = member_client.get(reverse("accounts:my_data"))
    assert reverse("files:export_download", args=[export.pk]) in page.content.decode()


def test_my_data_page_refuses_past_the_limit_with_a_message(
    member: User, member_client: Client
) -> None:
    for _ in range(3):  # left waiting: no commit runs the task in this test
        member_client.post(reverse("accounts:my_data_request"))
    response = member_client.post(reverse("accounts:my_data_request"), follow=True)
    assert "exports on the way" in response.content.decode()
    assert Export.objects.filter(owner=member).count() == 3


def test_my_data_page_lists_recent_exports_in_constant_queries(
    member: User, member_client: Client, django_assert_max_num_queries: Any
) -> None:
    from django.utils import timezone

    from files.exports import ttl

    def add(n: int) -> None:
        Export.objects.bulk_create(
            Export(
                owner=member,
                kind=DATA_EXPORT_KIND,
                label="All my data (ZIP)",
                status=Export.Status.DONE,
                storage_name=f"x{i}.zip",
                filename="data.zip",
                expires_at=timezone.now() + ttl(),
            )
            for i in range(n)
        )

    add(3)
    with django_assert_max_num_queries(12) as few:
        member_client.get(reverse("accounts:my_data"))
    add(27)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = member_client.get(reverse("accounts:my_data"))
    assert page.content.decode().count("data-export-status") == 5


def test_api_data_export_answers_202_with_the_status_url(
    member: User, api: Callable[..., Any], django_capture_on_commit_callbacks: Any
) -> None:
    client = api(member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/me/data-export/")
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "pending"
    assert body["url"].endswith(reverse("api:me-data-export-status", args=[body["id"]]))
    status = client.get(body["url"])
    assert status.status_code == 200
    assert status.json()["status"] == "done"
    assert status.json()["progress"] == 100
    assert status.json()["download_url"].endswith(
        reverse("files:export_download", args=[body["id"]])
    )


def test_api_data_export_status_is_404_for_anyone_else(
    member: User, outsider: User, api: Callable[..., Any]
) -> None:
    body = api(member).post("/api/v1/me/data-export/").json()
    assert api(outsider).get(body["url"]).status_code == 404
    assert api(member).get(body["url"]).status_code == 200


def test_api_data_export_needs_a_signed_in_person(api: Callable[..., Any], db: Any) -> None:
    assert api(None).post("/api/v1/me/data-export/").status_code in (401, 403)


def test_api_data_export_past_the_limit_is_429_with_a_json_reason(
    member: User, api: Callable[..., Any]
) -> None:
    client = api(member)
    for _ in range(3):
        assert client.post("/api/v1/me/data-export/").status_code == 202
    refused = client.post("/api/v1/me/data-export/")
    assert refused.status_code == 429
    assert "exports on the way" in json.dumps(refused.json())


def test_data_export_is_in_the_openapi_schema(client: Client, db: Any) -> None:
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    assert "/api/v1/me/data-export/" in schema.content.decode()
