"""The repertoire's REST API (CONTRACT.md): one permission answer per role and endpoint,
filters, sharing links, notes and files (with the upload module's refusals), versioned
edits, useful marks, constant query counts, and the published schema."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from cohorts.models import Cohort
from competencies.models import Area, Competency
from files.models import StoredFile
from resources.models import Resource, Tag, UsefulMark
from resources.services import resource_set_hidden
from tests.files.conftest import pdf_bytes
from tests.resources.conftest import upload

pytestmark = pytest.mark.django_db

LIST = "/api/v1/resources/"
RESOURCE_FIELDS = {
    "id",
    "kind",
    "title",
    "description",
    "description_html",
    "url",
    "body",
    "body_html",
    "competencies",
    "areas",
    "tags",
    "cohort",
    "contributor",
    "scope",
    "licence",
    "source",
    "featured",
    "useful_count",
    "created_at",
    "updated_at",
    "version",
    "html_url",
    "download_url",
}


def detail_url(resource: Resource | int) -> str:
    return f"/api/v1/resources/{getattr(resource, 'pk', resource)}/"


def useful_url(resource: Resource | int) -> str:
    return f"{detail_url(resource)}useful/"


def listed_ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def roles(
    member: User, member2: User, facilitator: User, outsider: User, staff: User, home: Cohort
) -> dict[str, User | None]:
    return {
        "anonymous": None,
        "outsider": outsider,
        "member": member,
        "contributor": member2,
        "facilitator": facilitator,
        "staff": staff,
    }


# --- the permission table ----------------------------------------------------------------

# A cohort-scoped link shared by member2 ("contributor"). Readers who may not see it get 404
# as for something that does not exist; those who see it but may not do the action, 403.
#              list  read  share  useful unmark edit  delete
TABLE = {
    "anonymous": (200, 404, 401, 401, 401, 401, 401),
    "outsider": (200, 404, 404, 404, 404, 404, 404),
    "member": (200, 200, 201, 201, 200, 403, 403),
    "contributor": (200, 200, 201, 201, 200, 200, 204),
    "facilitator": (200, 200, 201, 201, 200, 403, 204),
    "staff": (200, 200, 403, 201, 200, 403, 403),
}
SEES_IT = {"member", "contributor", "facilitator", "staff"}


@pytest.mark.parametrize("role", list(TABLE))
def test_permission_table(
    role: str, roles: dict[str, Any], api, share: Callable[..., Resource], member2: User, home
) -> None:
    link = share("link", by=member2, title="Partner map")
    client = api(roles[role])
    listing = client.get(LIST)
    got = (
        listing.status_code,
        client.get(detail_url(link)).status_code,
        client.post(
            LIST,
            {"cohort": home.slug, "kind": "note", "title": f"By {role}", "body": "Text"},
        ).status_code,
        client.post(useful_url(link), {"note": "Used it"}).status_code,
        client.delete(useful_url(link)).status_code,
        client.patch(detail_url(link), {"title": "Renamed", "version": 1}).status_code,
        client.delete(detail_url(link)).status_code,
    )
    assert got == TABLE[role]
    assert (link.pk in listed_ids(listing)) == (role in SEES_IT)
    link.refresh_from_db()
    assert (link.title == "Renamed") == (role == "contributor")
    assert (link.deleted_at is not None) == (TABLE[role][6] == 204)
    shared = Resource.objects.filter(title=f"By {role}").exists()
    assert shared == (TABLE[role][2] == 201)


@pytest.mark.parametrize(
    ("role", "reads"),
    [
        ("anonymous", False),
        ("outsider", False),
        ("member", False),
        ("contributor", True),
        ("facilitator", True),
        ("staff", False),
    ],
)
def test_a_hidden_resource_is_read_only_by_its_contributor_and_facilitators(
    role: str, reads: bool, roles, api, share, member2: User, facilitator: User
) -> None:
    link = share("link", by=member2)
    resource_set_hidden(resource=link, by=facilitator, hidden=True)
    client = api(roles[role])
    assert client.get(detail_url(link)).status_code == (200 if reads else 404)
    assert (link.pk in listed_ids(client.get(LIST))) == reads


@pytest.mark.parametrize(
    ("scope", "for_anonymous", "for_outsider"),
    [("cohort", 404, 404), ("platform", 404, 200), ("public", 200, 200)],
)
def test_scope_decides_who_outside_the_cohort_reads_it(
    scope: str, for_anonymous: int, for_outsider: int, api, share, roles
) -> None:
    link = share("link", scope=scope)
    for role, expected in (("anonymous", for_anonymous), ("outsider", for_outsider)):
        client = api(roles[role])
        assert client.get(detail_url(link)).status_code == expected, role
        assert (link.pk in listed_ids(client.get(LIST))) == (expected == 200), role


def test_anonymous_callers_read_but_never_write_public_resources(api, share) -> None:
    public = share("link", scope="public", title="Open guide")
    client = api(None)
    body = client.get(detail_url(public)).json()
    assert body["title"] == "Open guide" and body["scope"] == "public"
    for response in (
        client.patch(detail_url(public), {"title": "x", "version": 1}),
        client.delete(detail_url(public)),
        client.post(useful_url(public), {}),
    ):
        assert response.status_code == 401
        assert set(response.json()) >= {"detail", "code"}


def test_missing_and_deleted_resources_answer_the_same_404(
    api, member: User, share, member2: User
) -> None:
    gone = share("link", by=member2)
    api(member2).delete(detail_url(gone))
    client = api(member)
    for target in (gone, 987654):
        for response in (
            client.get(detail_url(target)),
            client.patch(detail_url(target), {"title": "x", "version": 1}),
            client.delete(detail_url(target)),
            client.post(useful_url(target), {}),
        ):
            assert response.status_code == 404
            assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_a_removed_member_no_longer_reads_or_shares(
    api, share, member: User, home, facilitator: User
) -> None:
    from cohorts.models import Membership
    from cohorts.services import membership_remove

    link = share("link", by=member)
    membership_remove(membership=Membership.objects.get(cohort=home, user=member), by=facilitator)
    client = api(User.objects.get(pk=member.pk))  # as a new request loads them
    assert client.get(detail_url(link)).status_code == 404
    response = client.post(LIST, {"cohort": home.slug, "kind": "note", "title": "x", "body": "y"})
    assert response.status_code == 404


# --- reading and filters ---------------------------------------------------------------------


def test_a_resource_carries_the_contract_fields(api, member: User, share, member2) -> None:
    link = share(
        "link",
        by=member2,
        title="Asset mapping",
        description="**Start** here.",
        competencies=["PAR-1"],
        areas=["partnerships"],
        tags=["maps", "Assets"],
        licence="cc-by",
        source="Campus network",
    )
    listed = api(member).get(LIST).json()["results"][0]
    assert set(listed) == RESOURCE_FIELDS
    one = api(member).get(detail_url(link)).json()
    assert set(one) == RESOURCE_FIELDS | {"versions"}
    assert one["kind"] == "link" and one["cohort"] == link.cohort.slug
    assert one["competencies"] == ["PAR-1"] and one["areas"] == ["partnerships"]
    assert one["tags"] == ["Assets", "maps"]
    assert one["contributor"] == {"id": member2.pk, "name": "Mateo Member"}
    assert "<strong>Start</strong>" in one["description_html"]
    assert one["html_url"] == f"http://testserver/resources/{link.pk}/"
    assert one["download_url"] is None and one["versions"] == []
    assert one["version"] == 1 and one["useful_count"] == 0 and one["featured"] is False
    assert listed == {k: v for k, v in one.items() if k != "versions"}


def test_a_resource_whose_contributor_deleted_their_account_has_no_contributor(
    api, member: User, share, member2: User
) -> None:
    link = share("link", by=member2)
    member2.delete()
    assert api(member).get(detail_url(link)).json()["contributor"] is None


def test_filters_narrow_the_list(api, member: User, share, home, make_cohort, facilitator):
    mapping = share(
        "link", title="Asset mapping", competencies=["PAR-1"], areas=["partnerships"], tags=["maps"]
    )
    note = share("note", title="Meeting notes", tags=["Meetings"], body="We met the partners.")
    guide = share("file", title="Partnership guide", competencies=["PAR-2"])
    elsewhere = make_cohort(by=facilitator, title="Another cohort")
    other = share("link", cohort=elsewhere, by=facilitator, title="Elsewhere")
    client = api(member)

    def ids(query: str) -> set[int]:
        return set(listed_ids(client.get(f"{LIST}?{query}")))

    assert ids("") == {mapping.pk, note.pk, guide.pk}  # not the other cohort's
    assert ids("competency=PAR-1") == {mapping.pk}
    assert ids("area=partnerships") == {mapping.pk}
    assert ids("kind=note") == {note.pk}
    assert ids("kind=file") == {guide.pk}
    assert ids("tag=meetings") == {note.pk}
    assert ids(f"cohort={home.slug}") == {mapping.pk, note.pk, guide.pk}
    assert ids(f"cohort={elsewhere.slug}") == set()
    assert ids("q=mapping") == {mapping.pk}
    assert ids("competency=NOPE-1") == set() and ids("kind=video") == set()
    assert other.pk in listed_ids(api(facilitator).get(f"{LIST}?cohort={elsewhere.slug}"))
    titles = [r["title"] for r in client.get(f"{LIST}?sort=title").json()["results"]]
    assert titles == ["Asset mapping", "Meeting notes", "Partnership guide"]


def test_the_list_is_paginated(api, member: User, share) -> None:
    for i in range(3):
        share("link", title=f"Link {i}")
    body = api(member).get(f"{LIST}?page_size=2").json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]
    assert api(member).get(f"{LIST}?page=9").status_code == 404


def _bulk(home: Cohort, contributor: User, n: int, start: int = 0) -> None:
    """``n`` links with a competency, an area and a tag each, without the services' cost."""
    now = timezone.now()
    rows = Resource.objects.bulk_create(
        Resource(
            cohort=home,
            kind="link",
            title=f"Link {start + i}",
            url=f"https://example.org/{start + i}",
            contributor=contributor,
            created_at=now,
            updated_at=now,
        )
        for i in range(n)
    )
    competency = Competency.objects.filter(framework_id=home.framework_id).first()
    area = Area.objects.filter(framework_id=home.framework_id).first()
    tag, _ = Tag.objects.get_or_create(name="bulk")
    Resource.competencies.through.objects.bulk_create(
        Resource.competencies.through(resource_id=r.pk, competency_id=competency.pk) for r in rows
    )
    Resource.areas.through.objects.bulk_create(
        Resource.areas.through(resource_id=r.pk, area_id=area.pk) for r in rows
    )
    Resource.tags.through.objects.bulk_create(
        Resource.tags.through(resource_id=r.pk, tag_id=tag.pk) for r in rows
    )


def test_list_queries_do_not_grow_with_the_number_of_resources(
    api, member: User, member2: User, home: Cohort, share
) -> None:
    share("file", by=member2)  # a file row: its current version is read too
    _bulk(home, member2, 9)
    client = api(member)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{LIST}?page_size=200")
        assert response.status_code == 200
        return len(queries)

    count()  # the first request of a client loads what every later one finds cached
    small = count()
    _bulk(home, member2, 990, start=9)
    assert api(member).get(LIST).json()["count"] == 1000
    assert count() == small


# --- sharing ---------------------------------------------------------------------------------


def test_a_member_shares_a_link_as_json(api, member: User, home: Cohort) -> None:
    response = api(member).post(
        LIST,
        {
            "cohort": home.slug,
            "kind": "link",
            "title": "Reciprocity toolkit",
            "description": "A *short* guide.",
            "url": "https://example.org/toolkit",
            "competencies": ["PAR-1", "PAR-2"],
            "areas": ["partnerships"],
            "tags": ["toolkits", "reciprocity"],
            "licence": "cc-by-sa",
            "scope": "platform",
            "source": "Campus partners",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    resource = Resource.objects.get(pk=body["id"])
    assert resource.contributor == member and resource.cohort == home
    assert body["competencies"] == ["PAR-1", "PAR-2"] and body["areas"] == ["partnerships"]
    assert body["tags"] == ["reciprocity", "toolkits"]
    assert (body["scope"], body["licence"], body["source"]) == (
        "platform",
        "cc-by-sa",
        "Campus partners",
    )
    assert "<em>short</em>" in body["description_html"]
    assert body["url"] == "https://example.org/toolkit"


def test_a_member_shares_a_note_as_json(api, member: User, home: Cohort) -> None:
    response = api(member).post(
        LIST,
        {"cohort": home.slug, "kind": "note", "title": "What we learned", "body": "# Notes\n- a"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "note" and "<li>a</li>" in body["body_html"]
    assert body["url"] == "" and body["download_url"] is None


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,x", "file:///etc/passwd"]
)
def test_links_must_be_http_or_https(api, member: User, home: Cohort, url: str) -> None:
    response = api(member).post(
        LIST, {"cohort": home.slug, "kind": "link", "title": "Bad", "url": url}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and "http" in body["detail"]
    assert not Resource.objects.exists()


def test_refusals_of_the_rules_answer_detail_and_code(api, member: User, home: Cohort) -> None:
    client = api(member)
    response = client.post(
        LIST, {"cohort": home.slug, "kind": "note", "title": "No body"}, format="json"
    )
    assert response.status_code == 400 and response.json()["code"] == "blank"
    response = client.post(
        LIST,
        {"cohort": home.slug, "kind": "link", "title": "x", "url": "https://example.org",
         "competencies": ["NOPE-9"]},
        format="json",
    )  # fmt: skip
    assert response.status_code == 400 and "framework" in response.json()["detail"]
    response = client.post(LIST, {"cohort": home.slug, "kind": "video", "title": "x"})
    assert response.status_code == 400 and "kind" in response.json()["errors"]
    response = client.post(LIST, {"cohort": "no-such-cohort", "kind": "note", "title": "x"})
    assert response.status_code == 404
    assert not Resource.objects.exists()


def stored_files() -> list[Path]:
    root = Path(django_settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_a_member_uploads_a_pdf_as_multipart(api, member: User, home: Cohort) -> None:
    response = api(member).post(
        LIST,
        {
            "cohort": home.slug,
            "kind": "file",
            "title": "Partnership guide",
            "competencies": ["PAR-1", "PAR-2"],
            "tags": ["guides"],
            "version_note": "First draft",
            "file": upload("guide.pdf", pdf_bytes("Reciprocal partnership guide")),
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "file" and body["competencies"] == ["PAR-1", "PAR-2"]
    assert body["download_url"] == f"http://testserver/resources/{body['id']}/versions/1/"
    [version] = body["versions"]
    assert version["number"] == 1 and version["note"] == "First draft"
    assert version["name"] == "guide.pdf" and version["content_type"] == "application/pdf"
    assert version["uploaded_by"] == {"id": member.pk, "name": member.display_name}
    assert version["download_url"] == body["download_url"]
    assert len(stored_files()) == 1


@pytest.mark.parametrize(
    ("name", "data", "status", "code"),
    [
        ("notes.pdf", b"#!/bin/sh\necho pwned\n", 415, "unsupported_type"),
        ("run.sh", b"#!/bin/sh\necho pwned\n", 415, "unsupported_type"),
        ("big.pdf", b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024), 413, "too_large"),
    ],
)
def test_disguised_disallowed_and_oversize_uploads_are_refused_and_nothing_is_stored(
    api, member: User, home: Cohort, name: str, data: bytes, status: int, code: str
) -> None:
    response = api(member).post(
        LIST,
        {"cohort": home.slug, "kind": "file", "title": "Sneaky", "file": upload(name, data)},
        format="multipart",
    )
    assert response.status_code == status
    body = response.json()
    assert body["code"] == code and body["detail"]
    assert not Resource.objects.exists() and not StoredFile.objects.exists()
    assert stored_files() == []


def test_a_file_resource_needs_a_file(api, member: User, home: Cohort) -> None:
    response = api(member).post(
        LIST, {"cohort": home.slug, "kind": "file", "title": "Nothing"}, format="multipart"
    )
    assert response.status_code == 400 and response.json()["code"] == "blank"


# --- editing and deleting --------------------------------------------------------------------


def test_the_contributor_edits_with_the_version_and_a_stale_one_is_refused(
    api, share, member2: User
) -> None:
    link = share("link", by=member2, title="First", tags=["a"], competencies=["PAR-1"])
    client = api(member2)
    response = client.patch(detail_url(link), {"title": "Second", "version": 1}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["title"] == "Second" and body["version"] == 2
    # Fields left out keep their values.
    assert body["tags"] == ["a"] and body["competencies"] == ["PAR-1"]
    assert body["url"] == "https://example.org/guide"
    stale = client.patch(detail_url(link), {"title": "Third", "version": 1}, format="json")
    assert stale.status_code == 409
    data = stale.json()
    assert data["code"] == "stale" and data["detail"]
    assert data["current"]["title"] == "Second" and data["current"]["version"] == 2
    link.refresh_from_db()
    assert (link.title, link.version) == ("Second", 2)


def test_an_edit_needs_a_version_and_keeps_to_the_rules(api, share, member2: User) -> None:
    link = share("link", by=member2)
    client = api(member2)
    response = client.patch(detail_url(link), {"title": "x"}, format="json")
    assert response.status_code == 400 and "version" in response.json()["errors"]
    response = client.patch(
        detail_url(link), {"url": "javascript:alert(1)", "version": 1}, format="json"
    )
    assert response.status_code == 400 and "http" in response.json()["detail"]
    link.refresh_from_db()
    assert link.url == "https://example.org/guide" and link.version == 1


def test_delete_is_soft(api, share, member2: User, member: User) -> None:
    link = share("link", by=member2)
    assert api(member2).delete(detail_url(link)).status_code == 204
    link.refresh_from_db()
    assert link.deleted_at is not None and link.deleted_by == member2
    assert link.pk not in listed_ids(api(member).get(LIST))
    assert api(member2).delete(detail_url(link)).status_code == 404


# --- useful ----------------------------------------------------------------------------------


def test_marking_useful_with_a_note_then_again_then_taking_it_back(
    api, share, member: User, member2: User
) -> None:
    link = share("link", by=member2)
    client = api(member)
    first = client.post(useful_url(link), {"note": "Used it with a partner"}, format="json")
    assert first.status_code == 201
    assert first.json() == {"marked": True, "note": "Used it with a partner", "useful_count": 1}
    again = client.post(useful_url(link), {"note": "And again"}, format="json")
    assert again.status_code == 200
    assert again.json() == {"marked": True, "note": "And again", "useful_count": 1}
    assert UsefulMark.objects.get(resource=link, user=member).note == "And again"
    assert client.get(detail_url(link)).json()["useful_count"] == 1
    back = client.delete(useful_url(link))
    assert back.status_code == 200
    assert back.json() == {"marked": False, "note": "", "useful_count": 0}
    assert client.post(useful_url(link), {}, format="json").json()["useful_count"] == 1


# --- the schema ------------------------------------------------------------------------------


def test_the_schema_describes_the_endpoints() -> None:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/resources/"])
    assert {"get", "patch", "delete"} <= set(paths["/api/v1/resources/{id}/"])
    assert {"post", "delete"} <= set(paths["/api/v1/resources/{id}/useful/"])
    listing = paths["/api/v1/resources/"]["get"]
    assert {"q", "competency", "area", "cohort", "kind", "tag", "sort"} <= {
        p["name"] for p in listing["parameters"]
    }
    create = paths["/api/v1/resources/"]["post"]
    assert {"application/json", "multipart/form-data"} <= set(create["requestBody"]["content"])
    assert {"201", "413", "415"} <= set(create["responses"])
    assert "409" in paths["/api/v1/resources/{id}/"]["patch"]["responses"]
    fields = schema["components"]["schemas"]["Resource"]["properties"]
    assert set(fields) >= RESOURCE_FIELDS


def test_the_schema_generates_without_warnings() -> None:
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")
