"""One resource's pages: who may open and do what (a table over every URL), editing with a
stale version, versions and their downloads, useful marks with a why, comments in the home
cohort's discussion, and a constant number of queries on the page."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from cohorts.models import Cohort
from discussions.models import Post, Thread
from resources import evidence, services
from resources.models import Collection, Resource, UsefulMark
from resources.services import ResourceInput
from tests.files.conftest import pdf_bytes
from tests.resources.conftest import upload

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "outsider", "member", "contributor", "facilitator", "staff"]


@pytest.fixture
def client_as(
    request: pytest.FixtureRequest, signed_in: Callable[[User], Client]
) -> Callable[[str], Client]:
    """A client for a role: the contributor is ``member``; the other member is ``member2``."""

    def make(role: str) -> Client:
        if role == "anonymous":
            return Client()
        name = {"contributor": "member", "member": "member2"}.get(role, role)
        return signed_in(request.getfixturevalue(name))

    return make


@pytest.fixture
def doc(share: Callable[..., Resource]) -> Resource:
    """A file resource in ``home``, shared by ``member``, with two versions."""
    resource = share("file", title="Partnership guide")
    services.resource_add_version(
        resource=resource,
        by=resource.contributor,  # type: ignore[arg-type]
        upload=upload("guide-v2.pdf", pdf_bytes("Partnership guide, second edition")),
        note="Second edition",
    )
    return Resource.objects.get(pk=resource.pk)


def _yes(*roles: str) -> list[str]:
    return list(roles)


VIEWERS = _yes("member", "contributor", "facilitator", "staff")
TAKERS = _yes("member", "contributor", "facilitator")

# (method, url name, args builder, post data, roles allowed, status when allowed)
TABLE: list[tuple[str, str, Callable[[Resource], list[Any]], dict[str, Any], list[str], int]] = [
    ("get", "resources:detail", lambda r: [r.pk], {}, VIEWERS, 200),
    ("get", "resources:edit", lambda r: [r.pk], {}, ["contributor"], 200),
    ("get", "resources:delete", lambda r: [r.pk], {}, ["contributor", "facilitator"], 200),
    ("get", "resources:version_new", lambda r: [r.pk], {}, ["contributor", "facilitator"], 200),
    ("get", "resources:version", lambda r: [r.pk, 1], {}, VIEWERS, 200),
    ("get", "resources:version", lambda r: [r.pk, 2], {}, VIEWERS, 200),
    ("get", "resources:version", lambda r: [r.pk, 3], {}, [], 200),
    ("get", "resources:version_thumbnail", lambda r: [r.pk, 1], {}, [], 200),
    ("post", "resources:useful", lambda r: [r.pk], {"note": "Used it"}, VIEWERS, 302),
    ("post", "resources:moderate", lambda r: [r.pk], {"action": "feature"}, ["facilitator"], 302),
    ("post", "resources:discuss", lambda r: [r.pk], {"body": "Thanks!"}, TAKERS, 302),
    ("post", "resources:collect", lambda r: [r.pk], {"collection": "0"}, ["facilitator"], 302),
    ("post", "resources:restore", lambda r: [r.pk], {}, [], 302),
    ("post", "resources:edit", lambda r: [r.pk], {}, ["contributor"], 200),
    ("post", "resources:version_new", lambda r: [r.pk], {}, ["contributor", "facilitator"], 400),
    ("post", "resources:delete", lambda r: [r.pk], {}, ["contributor", "facilitator"], 302),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "method,name,args,data,allowed,status",
    TABLE,
    ids=[f"{t[0]}-{t[1]}-{i}" for i, t in enumerate(TABLE)],
)
def test_every_resource_url_answers_only_those_with_the_right(
    doc: Resource,
    client_as: Callable[[str], Client],
    role: str,
    method: str,
    name: str,
    args: Callable[[Resource], list[Any]],
    data: dict[str, Any],
    allowed: list[str],
    status: int,
) -> None:
    url = reverse(name, args=args(doc))
    response = getattr(client_as(role), method)(url, data)
    assert response.status_code == (status if role in allowed else 404), (role, url)


@pytest.mark.parametrize("name", ["useful", "moderate", "discuss", "collect", "restore"])
def test_post_only_actions_refuse_get(doc: Resource, fac_client: Client, name: str) -> None:
    assert fac_client.get(reverse(f"resources:{name}", args=[doc.pk])).status_code == 405


def test_post_actions_need_the_csrf_token(doc: Resource, member: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    response = client.post(reverse("resources:useful", args=[doc.pk]), {"note": "x"})
    assert response.status_code == 403
    assert not UsefulMark.objects.filter(resource=doc).exists()


def test_an_outsider_guessing_a_version_url_gets_404_like_a_missing_one(
    doc: Resource, signed_in: Callable[[User], Client], outsider: User
) -> None:
    client = signed_in(outsider)
    guessed = client.get(f"/resources/{doc.pk}/versions/1/")
    missing = client.get(f"/resources/{doc.pk + 999}/versions/1/")
    assert guessed.status_code == missing.status_code == 404
    file_url = f"/files/{doc.current_version.file_id}/"  # type: ignore[union-attr]
    assert client.get(file_url).status_code == 404


def test_a_deleted_files_versions_answer_404_to_those_who_could_never_see_them(
    doc: Resource, client_as: Callable[[str], Client], member: User
) -> None:
    services.resource_delete(resource=doc, by=member)
    url = reverse("resources:version", args=[doc.pk, 1])
    for role in ["anonymous", "outsider", "member", "staff"]:
        assert client_as(role).get(url).status_code == 404, role
    assert client_as("contributor").get(url).status_code == 200
    for role in ROLES:
        assert client_as(role).get(reverse("resources:detail", args=[doc.pk])).status_code == 404


def test_a_version_download_serves_that_versions_bytes(
    doc: Resource, member_client: Client
) -> None:
    first = member_client.get(reverse("resources:version", args=[doc.pk, 1]))
    second = member_client.get(reverse("resources:version", args=[doc.pk, 2]))
    assert first.status_code == second.status_code == 200
    assert first["Content-Type"] == "application/pdf"
    assert first["X-Content-Type-Options"] == "nosniff"
    assert b"".join(first.streaming_content) != b"".join(second.streaming_content)


def test_the_page_shows_the_file_its_history_and_marks_the_current_version(
    doc: Resource, member_client: Client
) -> None:
    page = member_client.get(doc.get_absolute_url()).content.decode()
    assert "guide-v2.pdf" in page and "Second edition" in page
    assert reverse("resources:version", args=[doc.pk, 2]) in page
    assert reverse("resources:version", args=[doc.pk, 1]) in page
    assert page.count("current</span>") == 1
    assert "file-icon--pdf" in page


def test_a_link_opens_as_an_external_link_and_a_former_members_resource_says_so(
    share: Callable[..., Resource], member_client: Client, member2: User
) -> None:
    link = share("link", by=member2, url="https://example.org/toolkit", tags=["toolkits"])
    page = member_client.get(link.get_absolute_url()).content.decode()
    assert 'href="https://example.org/toolkit" rel="noopener noreferrer nofollow ugc"' in page
    assert "?tag=toolkits" in page
    member2.delete()
    page = member_client.get(link.get_absolute_url()).content.decode()
    assert "A former member" in page


def test_an_image_gets_a_cached_thumbnail_behind_the_version_permission(
    share: Callable[..., Resource],
    member_client: Client,
    signed_in: Callable[[User], Client],
    outsider: User,
) -> None:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (1200, 900), "teal").save(buffer, format="PNG")
    image = share("file", file=upload("map.png", buffer.getvalue()), title="Asset map")
    url = reverse("resources:version_thumbnail", args=[image.pk, 1])
    assert url in member_client.get(image.get_absolute_url()).content.decode()
    response = member_client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    thumb = Image.open(io.BytesIO(b"".join(response.streaming_content)))
    assert max(thumb.size) <= 480
    from resources.previews import thumbnail_path

    assert thumbnail_path(image.current_version.file).exists()  # type: ignore[union-attr]
    assert signed_in(outsider).get(url).status_code == 404


def test_a_stale_edit_keeps_both_texts_and_overwrites_nothing(
    share: Callable[..., Resource], member_client: Client, member: User
) -> None:
    note = share("note", title="Meeting notes", body="First draft")
    url = reverse("resources:edit", args=[note.pk])
    opened = note.version
    services.resource_edit(
        resource=note, by=member, data=ResourceInput(title="Meeting notes", body="Saved elsewhere")
    )
    response = member_client.post(
        url,
        {"title": "Meeting notes", "body": "My own words", "scope": "cohort", "version": opened},
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Saved elsewhere" in page and "My own words" in page
    assert Resource.objects.get(pk=note.pk).body == "Saved elsewhere"
    # Saving again (now based on what they saw) goes through.
    version = response.context["form"]["version"].value()
    response = member_client.post(
        url,
        {"title": "Meeting notes", "body": "My own words", "scope": "cohort", "version": version},
    )
    assert response.status_code == 302
    assert Resource.objects.get(pk=note.pk).body == "My own words"


def test_a_refused_edit_rerenders_with_everything_typed(
    share: Callable[..., Resource], member_client: Client
) -> None:
    link = share("link")
    response = member_client.post(
        reverse("resources:edit", args=[link.pk]),
        {
            "title": "Renamed",
            "url": "javascript:alert(1)",
            "description": "Kept text",
            "scope": "cohort",
            "version": link.version,
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Links must be web addresses" in page
    assert "Renamed" in page and "Kept text" in page
    assert Resource.objects.get(pk=link.pk).title == "A link"


def test_a_refused_upload_rerenders_with_the_reason(doc: Resource, member_client: Client) -> None:
    response = member_client.post(
        reverse("resources:version_new", args=[doc.pk]),
        {"file": upload("run.exe", b"MZ\x90\x00" + b"\x00" * 200), "note": "oops"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["file"]
    assert doc.versions.count() == 2


def test_useful_with_a_reason_is_shown_updated_and_unmarked(
    doc: Resource, signed_in: Callable[[User], Client], member2: User
) -> None:
    client = signed_in(member2)
    url = reverse("resources:useful", args=[doc.pk])
    client.post(url, {"note": "Used it to plan our first partner meeting."})
    page = client.get(doc.get_absolute_url()).content.decode()
    assert "How people used it" in page
    assert "Used it to plan our first partner meeting." in page and "Mateo Member" in page
    assert "1 person found this useful" in page
    client.post(url, {"note": "Updated: used it twice."})
    assert UsefulMark.objects.get(resource=doc, user=member2).note == "Updated: used it twice."
    assert Resource.objects.get(pk=doc.pk).useful_count == 1
    client.post(url, {"action": "unmark"})
    assert not UsefulMark.objects.filter(resource=doc).exists()
    assert Resource.objects.get(pk=doc.pk).useful_count == 0


def test_discussing_opens_a_thread_in_the_home_cohort_and_reuses_it(
    doc: Resource,
    home: Cohort,
    signed_in: Callable[[User], Client],
    member2: User,
    facilitator: User,
) -> None:
    url = reverse("resources:discuss", args=[doc.pk])
    first = signed_in(member2).post(url, {"body": "Which chapter helped most?"})
    thread = Thread.objects.get(resource__pk=doc.pk)
    assert thread.cohort == home
    post = Post.objects.get(thread=thread)
    assert first["Location"] == f"{thread.get_absolute_url()}#post-{post.pk}"
    second = signed_in(facilitator).post(url, {"body": "Chapter two."})
    assert Thread.objects.filter(resource__pk=doc.pk).count() == 1
    latest = Post.objects.filter(thread=thread).order_by("-pk").first()
    assert second["Location"].endswith(f"#post-{latest.pk}")  # type: ignore[union-attr]
    page = signed_in(member2).get(doc.get_absolute_url()).content.decode()
    assert "2 comments — open the discussion" in page


def test_a_blank_comment_rerenders_the_page_with_the_refusal(
    doc: Resource, member_client: Client
) -> None:
    response = member_client.post(reverse("resources:discuss", args=[doc.pk]), {"body": "  "})
    assert response.status_code == 400
    assert not Thread.objects.filter(resource__pk=doc.pk).exists()


def test_a_platform_resource_seen_by_a_non_member_says_where_it_is_discussed(
    share: Callable[..., Resource],
    signed_in: Callable[[User], Client],
    outsider: User,
    home: Cohort,
) -> None:
    shared = share("link", scope="platform")
    page = signed_in(outsider).get(shared.get_absolute_url()).content.decode()
    assert f"Discussed in {home.title} by its members" in page
    assert reverse("resources:discuss", args=[shared.pk]) not in page
    assert reverse("resources:useful", args=[shared.pk]) in page


def test_deleting_says_it_can_be_restored_and_restoring_brings_it_back(
    doc: Resource, member_client: Client, home: Cohort
) -> None:
    response = member_client.post(reverse("resources:delete", args=[doc.pk]))
    assert response["Location"] == reverse("resources:repertoire", args=[home.slug])
    page = member_client.get(reverse("cohorts:detail", args=[home.slug])).content.decode()
    assert "restorable for 30 days" in page
    assert reverse("resources:deleted", args=[home.slug]) in page
    assert member_client.get(doc.get_absolute_url()).status_code == 404
    response = member_client.post(reverse("resources:restore", args=[doc.pk]))
    assert response.status_code == 302 and response["Location"] == doc.get_absolute_url()
    assert member_client.get(doc.get_absolute_url()).status_code == 200


def test_facilitators_feature_hide_and_collect(
    doc: Resource,
    fac_client: Client,
    facilitator: User,
    home: Cohort,
    add_session: Callable[..., Any],
    signed_in: Callable[[User], Client],
    member2: User,
) -> None:
    url = reverse("resources:moderate", args=[doc.pk])
    fac_client.post(url, {"action": "feature"})
    assert Resource.objects.get(pk=doc.pk).featured
    fac_client.post(url, {"action": "hide"})
    assert signed_in(member2).get(doc.get_absolute_url()).status_code == 404
    page = fac_client.get(doc.get_absolute_url()).content.decode()
    assert "Hidden from the cohort" in page and "Featured" in page
    fac_client.post(url, {"action": "unhide"})
    collection = services.collection_create(cohort=home, by=facilitator, title="Readings")
    session = add_session(home, title="Kick-off")
    page = fac_client.get(doc.get_absolute_url()).content.decode()
    assert "Readings" in page and "Kick-off" in page
    fac_client.post(reverse("resources:collect", args=[doc.pk]), {"collection": collection.pk})
    fac_client.post(reverse("resources:collect", args=[doc.pk]), {"session": session.pk})
    assert collection.items.filter(resource=doc).exists()
    assert Collection.objects.get(session=session).items.filter(resource=doc).exists()


def test_evidence_actions_appear_only_when_an_app_registers_one(
    doc: Resource, member_client: Client
) -> None:
    # (The journals register "Use as evidence"; this test's own action has another label.)
    assert "Add to portfolio" not in member_client.get(doc.get_absolute_url()).content.decode()
    evidence.register_evidence_action(
        "test", lambda user, resource: {"label": "Add to portfolio", "url": "/portfolio/new/"}
    )
    try:
        page = member_client.get(doc.get_absolute_url()).content.decode()
    finally:
        evidence.unregister_evidence_action("test")
    assert 'href="/portfolio/new/">Add to portfolio' in page


def _grow(resource: Resource, n: int, make_user: Callable[..., User]) -> None:
    """``n`` more versions, and ``n`` readers (signed in; the resource is platform-wide)
    saying how they used it."""
    for i in range(n):
        person = make_user(f"reader{resource.pk}-{i}@example.org", name=f"Reader {i}")
        services.useful_mark(resource=resource, user=person, note=f"Used it in week {i}")
        services.resource_add_version(
            resource=resource,
            by=resource.contributor,  # type: ignore[arg-type]
            upload=upload(f"guide-{i}.pdf", pdf_bytes(f"Guide revision {i}")),
            note=f"Revision {i}",
        )


@pytest.mark.parametrize("role", ["member", "facilitator"])
def test_the_page_costs_the_same_queries_for_2_or_30_versions_and_notes(
    share: Callable[..., Resource],
    client_as: Callable[[str], Client],
    make_user: Callable[..., User],
    home: Cohort,
    seat: Callable[..., Any],
    django_assert_max_num_queries: Any,
    role: str,
    facilitator: User,
) -> None:
    services.collection_create(cohort=home, by=facilitator, title="Readings")
    fields = {"tags": ["a", "b"], "competencies": ["PAR-1"], "scope": "platform"}
    small = share("file", title="Small", **fields)
    large = share("file", title="Large", **fields)
    _grow(small, 1, make_user)
    _grow(large, 29, make_user)
    for target in (small, large):
        services.resource_discuss(resource=target, by=facilitator, body="Discuss")
    client = client_as(role)
    client.get(small.get_absolute_url())  # warm caches (content types, sessions)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small_run:
        assert client.get(small.get_absolute_url()).status_code == 200
    with CaptureQueriesContext(connection) as large_run:
        response = client.get(large.get_absolute_url())
        assert response.status_code == 200
    assert "Used it in week 28" in response.content.decode()
    assert len(large_run.captured_queries) == len(small_run.captured_queries)
    with django_assert_max_num_queries(len(small_run.captured_queries)):
        client.get(large.get_absolute_url())


def test_a_public_resource_opens_for_anyone_who_is_asked_to_sign_in_to_mark_it(
    share: Callable[..., Resource], home: Cohort
) -> None:
    shared = share("note", scope="public", body="Open **notes**")
    page = Client().get(shared.get_absolute_url()).content.decode()
    assert "<strong>notes</strong>" in page
    assert "Sign in</a> to mark it useful" in page
    assert f"Discussed in {home.title} by its members" in page
    assert Client().post(reverse("resources:useful", args=[shared.pk])).status_code == 404
