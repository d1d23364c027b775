"""Journal entries over the REST API: my list with the home's filters, writing, the same
readers as the pages (404 for everyone else), versioned PATCH with 409 and the current
entry, visibility changing only when sent, soft DELETE, evidence nested and added, JSON
errors, fixed query counts, and the published schema."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from cohorts.models import Cohort
from journals.models import Entry, Evidence
from journals.services import entry_delete
from tests.journals.test_coverage import bulk_journal

pytestmark = pytest.mark.django_db

LIST = "/api/v1/journal/entries/"


def detail_url(entry: Entry | int) -> str:
    return f"{LIST}{getattr(entry, 'pk', entry)}/"


def ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def admin(make_user: Callable[..., User]) -> User:
    user = make_user("admin@example.org", name="Ada Admin")
    user.is_staff = user.is_superuser = True
    user.save(update_fields=["is_staff", "is_superuser"])
    return user


@pytest.fixture
def entries(write: Callable[..., Entry], member: User, member2: User, home: Cohort) -> dict:
    """Member's private draft (PAR-1, growth), final entry shared with the facilitators
    (FUN-1, experience), and entry shared with the cohort (PAR-2); a deleted one; and
    member2's entry shared with the cohort."""
    return {
        "private": write(
            title="Private draft", competencies=["PAR-1"], framing_questions=["growth"],
            written_on=dt.date(2031, 1, 3),
        ),
        "facilitators": write(
            title="For the facilitators", visibility="facilitators", status="final",
            competencies=["FUN-1"], framing_questions=["experience"],
            written_on=dt.date(2031, 1, 2),
        ),
        "cohort": write(
            title="For the cohort", visibility="cohort", competencies=["PAR-2"],
            written_on=dt.date(2031, 1, 1),
        ),
        "deleted": entry_delete(entry=write(title="Gone"), by=member),
        "theirs": write(member2, title="Mateo's", visibility="cohort"),
    }  # fmt: skip


# --- the list --------------------------------------------------------------------------------


def test_list_is_my_own_entries_newest_first(api, entries: dict, member: User) -> None:
    response = api(member).get(LIST)
    assert ids(response) == [entries[k].pk for k in ("private", "facilitators", "cohort")]
    page = response.json()
    assert set(page) == {"count", "next", "previous", "results"}
    first = page["results"][0]
    assert first["competencies"] == [
        {"code": "PAR-1", "title": first["competencies"][0]["title"], "note": ""}
    ]
    assert first["framing_questions"] == ["growth"]
    assert first["visibility"] == "private" and first["status"] == "draft"
    assert first["author"] == {"id": member.pk, "name": member.display_name}
    assert first["html_url"].endswith(f"/journal/entries/{entries['private'].pk}/")
    assert "evidence" not in first and first["evidence_count"] == 0


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"competency": "PAR-1"}, ["private"]),
        ({"area": "partnerships"}, ["private", "cohort"]),
        ({"area": "fundamentals"}, ["facilitators"]),
        ({"visibility": "facilitators"}, ["facilitators"]),
        ({"status": "final"}, ["facilitators"]),
        ({"status": "draft", "area": "partnerships"}, ["private", "cohort"]),
        ({"framing_question": "experience"}, ["facilitators"]),
        ({"competency": "NOPE-1"}, []),
        ({"visibility": "everyone"}, []),
    ],
)
def test_list_filters_as_the_home(
    api, entries: dict, member: User, home: Cohort, query: dict, expected: list[str]
) -> None:
    assert ids(api(member).get(LIST, query)) == [entries[k].pk for k in expected]


def test_cohort_filter(api, entries: dict, member: User, home: Cohort) -> None:
    found = ids(api(member).get(LIST, {"cohort": home.slug}))
    assert found == [entries["facilitators"].pk, entries["cohort"].pk]


def test_others_never_list_my_entries(
    api, entries: dict, facilitator: User, member2: User, staff: User, admin: User
) -> None:
    for other in (facilitator, member2, staff, admin):
        found = ids(api(other).get(LIST))
        assert not {entries[k].pk for k in ("private", "facilitators", "cohort")} & set(found)
    assert api(None).get(LIST).status_code == 401


def test_list_queries_do_not_grow(api, member: User, framework: Any) -> None:
    client = api(member)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(LIST, {"page_size": 200})
        assert response.status_code == 200
        return len(queries)

    bulk_journal(member, 10)
    count()
    small = count()
    bulk_journal(member, 990, start=10)
    assert client.get(LIST).json()["count"] == 1000
    assert count() == small
    first = client.get(LIST, {"page_size": 200}).json()["results"]
    assert any(row["evidence_count"] == 1 for row in first)


# --- writing ---------------------------------------------------------------------------------


def test_write_an_entry_private_by_default(api, member: User, home: Cohort) -> None:
    response = api(member).post(
        LIST,
        {
            "title": "After the site visit",
            "body": "We *listened*.",
            "written_on": "2031-02-01",
            "cohort": home.slug,
            "competencies": [{"code": "PAR-1", "note": "I led it"}, {"code": "PAR-2"}],
            "framing_questions": ["experience"],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    entry = Entry.objects.get(pk=body["id"])
    assert entry.visibility == "private" and entry.cohort == home
    assert body["body_html"].strip() == "<p>We <em>listened</em>.</p>"
    assert [(c["code"], c["note"]) for c in body["competencies"]] == [
        ("PAR-1", "I led it"),
        ("PAR-2", ""),
    ]
    assert body["evidence"] == [] and body["version"] == 1
    assert body["cohort"] == home.slug and body["written_on"] == "2031-02-01"


def test_write_and_share(api, member: User, home: Cohort, facilitator: User) -> None:
    created = api(member).post(
        LIST, {"title": "Shared", "cohort": home.slug, "visibility": "facilitators"}
    )
    assert created.status_code == 201
    assert api(facilitator).get(detail_url(created.json()["id"])).status_code == 200


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({}, None),
        ({"title": ""}, None),
        ({"title": "   "}, None),
        ({"title": "T", "visibility": "cohort"}, "Choose the cohort to share it with"),
        ({"title": "T", "cohort": "no-such-cohort"}, "Choose a cohort you belong to."),
        ({"title": "T", "competencies": [{"code": "NOPE-1"}]}, "Choose competencies"),
        ({"title": "T", "framing_questions": ["nope"]}, "Choose framing questions"),
        ({"title": "T", "session": 999999}, "Choose a session of a cohort you belong to."),
        ({"title": "T", "status": "published"}, None),
        ({"title": "T", "written_on": "yesterday"}, None),
    ],
)
def test_bad_input_answers_json_400(
    api, member: User, home: Cohort, payload: dict, message: str | None
) -> None:
    response = api(member).post(LIST, payload, format="json")
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] in {"invalid", "blank"}
    if message:
        assert body["detail"].startswith(message)
    assert not Entry.objects.filter(author=member).exists()


def test_a_cohort_one_is_not_in_is_refused_like_a_missing_one(
    api, outsider: User, home: Cohort
) -> None:
    response = api(outsider).post(LIST, {"title": "T", "cohort": home.slug})
    assert response.status_code == 400
    assert response.json()["detail"] == "Choose a cohort you belong to."


# --- reading one -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "readers"),
    [
        ("private", {"member"}),
        ("facilitators", {"member", "facilitator"}),
        ("cohort", {"member", "facilitator", "member2"}),
        ("deleted", set()),
    ],
)
def test_same_readers_as_the_pages(
    api,
    entries: dict,
    member: User,
    member2: User,
    facilitator: User,
    other_facilitator: User,
    outsider: User,
    staff: User,
    admin: User,
    key: str,
    readers: set[str],
) -> None:
    people = {
        "member": member,
        "member2": member2,
        "facilitator": facilitator,
        "other_facilitator": other_facilitator,
        "outsider": outsider,
        "staff": staff,
        "admin": admin,
    }
    for name, person in people.items():
        response = api(person).get(detail_url(entries[key]))
        expected = 200 if name in readers else 404
        assert response.status_code == expected, (name, key)
        if expected == 404:
            assert response.json() == {"detail": "Not found.", "code": "not_found"}
    assert api(None).get(detail_url(entries[key])).status_code == 401
    assert api(member).get(detail_url(987654)).json()["code"] == "not_found"


@dataclass
class FakeView:
    id: int
    kind: str
    available: bool
    title: str
    url: str | None
    detail: str
    annotation: str
    competency: Any


def test_evidence_is_nested_as_the_evidence_selector_gives_it(
    api, entries: dict, member: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[Any, Any]] = []

    class Competency:
        code = "PAR-1"

    def fake(viewer: Any, entry: Any) -> list[FakeView]:
        seen.append((viewer, entry))
        return [
            FakeView(
                1, "resource", True, "Toolkit", "/resources/4/", "Link", "Shows it", Competency()
            ),
            FakeView(2, "post", False, "", None, "", "Kept annotation", None),
        ]  # fmt: skip

    monkeypatch.setattr("journals.api.evidence_for", fake)
    body = api(member).get(detail_url(entries["private"])).json()
    assert seen[0][0] == member and seen[0][1].pk == entries["private"].pk
    assert body["evidence"] == [
        {
            "id": 1, "kind": "resource", "available": True, "title": "Toolkit",
            "url": "http://testserver/resources/4/", "detail": "Link",
            "annotation": "Shows it", "competency": "PAR-1",
        },
        {
            "id": 2, "kind": "post", "available": False, "title": "", "url": None,
            "detail": "", "annotation": "Kept annotation", "competency": None,
        },
    ]  # fmt: skip
    assert body["evidence_count"] == 2


# --- editing ---------------------------------------------------------------------------------


def test_patch_keeps_what_is_not_sent(api, member: User, home: Cohort) -> None:
    created = (
        api(member)
        .post(
            LIST,
            {
                "title": "First",
                "cohort": home.slug,
                "visibility": "cohort",
                "competencies": [{"code": "PAR-1", "note": "Kept"}],
                "framing_questions": ["growth"],
            },
            format="json",
        )
        .json()
    )
    response = api(member).patch(
        detail_url(created["id"]), {"body": "More", "version": created["version"]}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["title"] == "First" and body["body"] == "More"
    assert body["visibility"] == "cohort" and body["cohort"] == home.slug
    assert body["competencies"][0]["note"] == "Kept"
    assert body["framing_questions"] == ["growth"]
    assert body["version"] == created["version"] + 1


def test_visibility_changes_only_when_sent(api, entries: dict, member: User, member2: User) -> None:
    entry = entries["cohort"]
    response = api(member).patch(
        detail_url(entry), {"version": entry.version, "visibility": "facilitators"}
    )
    assert response.status_code == 200
    assert response.json()["visibility"] == "facilitators"
    assert api(member2).get(detail_url(entry)).status_code == 404


def test_stale_patch_answers_409_with_the_current_entry(api, entries: dict, member: User) -> None:
    entry = entries["private"]
    client = api(member)
    first = client.patch(detail_url(entry), {"body": "Tab one", "version": entry.version})
    assert first.status_code == 200
    stale = client.patch(detail_url(entry), {"body": "Tab two", "version": entry.version})
    assert stale.status_code == 409
    body = stale.json()
    assert body["code"] == "stale"
    assert body["current"]["body"] == "Tab one"
    assert body["current"]["version"] == entry.version + 1
    assert body["current"]["competencies"][0]["code"] == "PAR-1"
    entry.refresh_from_db()
    assert entry.body == "Tab one"


def test_patch_needs_a_version(api, entries: dict, member: User) -> None:
    response = api(member).patch(detail_url(entries["private"]), {"body": "x"})
    assert response.status_code == 400
    assert "version" in response.json()["errors"]


def test_only_the_author_patches_or_deletes(
    api, entries: dict, facilitator: User, member2: User, admin: User
) -> None:
    entry = entries["cohort"]
    for other in (facilitator, member2, admin):
        client = api(other)
        assert client.patch(detail_url(entry), {"version": 1, "title": "Mine"}).status_code == 404
        assert client.delete(detail_url(entry)).status_code == 404
        post = client.post(f"{detail_url(entry)}evidence/", {"kind": "url", "url": "https://e.org"})
        assert post.status_code == 404
    entry.refresh_from_db()
    assert entry.title == "For the cohort" and entry.deleted_at is None


def test_delete_is_soft_and_hides_it(api, entries: dict, member: User, facilitator: User) -> None:
    entry = entries["facilitators"]
    assert api(member).delete(detail_url(entry)).status_code == 204
    entry.refresh_from_db()
    assert entry.deleted_at is not None
    assert api(member).get(detail_url(entry)).status_code == 404
    assert api(facilitator).get(detail_url(entry)).status_code == 404
    assert entry.pk not in ids(api(member).get(LIST))


# --- evidence --------------------------------------------------------------------------------


def test_add_evidence_to_my_entry(api, entries: dict, member: User) -> None:
    entry = entries["private"]
    response = api(member).post(
        f"{detail_url(entry)}evidence/",
        {
            "kind": "url",
            "url": "https://example.org/report",
            "annotation": "Shows the partners' voice",
            "competency": "PAR-1",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    added = Evidence.objects.get(entry=entry)
    body = response.json()
    assert body["id"] == added.pk and body["kind"] == "url"
    assert body["annotation"] == "Shows the partners' voice"
    assert body["competency"] == "PAR-1"
    assert added.competency.code == "PAR-1"
    entry.refresh_from_db()
    listed = api(member).get(LIST, {"competency": "PAR-1"}).json()["results"]
    assert listed[0]["evidence_count"] == 1 and listed[0]["version"] == entry.version


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"kind": "nope"}, 400),
        ({"kind": "url", "url": "javascript:alert(1)"}, 400),
        ({"kind": "url", "url": "https://example.org", "competency": "NOPE-1"}, 400),
        ({"kind": "resource", "target": 987654}, 404),
        ({"kind": "file"}, 400),
    ],
)
def test_bad_evidence_answers_json(
    api, entries: dict, member: User, payload: dict, status: int
) -> None:
    response = api(member).post(f"{detail_url(entries['private'])}evidence/", payload)
    assert response.status_code == status, response.content
    assert {"detail", "code"} <= set(response.json())
    assert not Evidence.objects.exists()


def test_evidence_on_another_persons_entry_is_not_found(api, entries: dict, member: User) -> None:
    response = api(member).post(
        f"{detail_url(entries['theirs'])}evidence/", {"kind": "url", "url": "https://e.org"}
    )
    assert response.status_code == 404


def test_an_uploaded_file_as_evidence(api, entries: dict, member: User) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("notes.txt", b"What the partners said.\n", "text/plain")
    response = api(member).post(
        f"{detail_url(entries['private'])}evidence/",
        {"kind": "file", "file": upload, "annotation": "Field notes"},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    assert response.json()["title"] == "notes.txt"


# --- schema ----------------------------------------------------------------------------------


def test_entry_endpoints_are_in_the_schema(api) -> None:
    schema = api(None).get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    for path in (
        "/api/v1/journal/entries/",
        "/api/v1/journal/entries/{id}/",
        "/api/v1/journal/entries/{id}/evidence/",
    ):
        assert path in schema
