"""The evidence pages: add (each kind's picker, prefilled from "use as evidence"), edit,
remove and reorder, by the author only; refusals keep what was typed; scripts get JSON;
and the entry page never shows a reader the title of an item they may not see.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import User
from cohorts.models import Cohort
from journals.models import Entry, Evidence
from journals.selectors.evidence import CANNOT_SEE
from tests.files.conftest import pdf_bytes
from tests.journals import test_evidence_view as evidence_fixtures

pytestmark = pytest.mark.django_db

# The fixtures of the evidence view tests (the world of citable things, ``cite``).
world = evidence_fixtures.world
cite = evidence_fixtures.cite
shared_entry = evidence_fixtures.shared_entry
org = evidence_fixtures.org
board = evidence_fixtures.board
make_training = evidence_fixtures.make_training

Kind = Evidence.Kind
JSON = {"HTTP_ACCEPT": "application/json"}


def _add_url(entry: Entry, **query: Any) -> str:
    from django.utils.http import urlencode

    url = reverse("journals:evidence_add", args=[entry.pk])
    return f"{url}?{urlencode(query)}" if query else url


# --- adding -------------------------------------------------------------------------------


def test_adding_starts_with_a_choice_of_kind(shared_entry: Entry, member_client: Client) -> None:
    page = member_client.get(_add_url(shared_entry))
    assert page.status_code == 200
    html = page.content.decode()
    for value, label in Kind.choices:
        assert f'value="{value}"' in html and label in html


def test_adding_a_link_then_seeing_it_on_the_entry(
    shared_entry: Entry, member_client: Client, framework: Any
) -> None:
    competency = framework.competencies.order_by("area__order", "order").first()
    form = member_client.get(_add_url(shared_entry, kind="url"))
    assert form.status_code == 200 and 'name="url"' in form.content.decode()
    done = member_client.post(
        _add_url(shared_entry),
        {
            "kind": "url",
            "url": "https://example.org/report",
            "label": "Our community report",
            "annotation": "Shows how we reported back to partners.",
            "competency": competency.pk,
        },
    )
    item = shared_entry.evidence.get()
    assert done.status_code == 302
    assert done["Location"] == f"{shared_entry.get_absolute_url()}#evidence-{item.pk}"
    assert (item.label, item.competency_id) == ("Our community report", competency.pk)
    page = member_client.get(shared_entry.get_absolute_url()).content.decode()
    assert "Our community report" in page and "Shows how we reported back" in page
    assert competency.code in page
    assert 'rel="noopener noreferrer nofollow"' in page


def test_a_bad_link_re_renders_with_everything_kept(
    shared_entry: Entry, member_client: Client
) -> None:
    page = member_client.post(
        _add_url(shared_entry),
        {"kind": "url", "url": "javascript:alert(1)", "annotation": "My careful words"},
    )
    assert page.status_code == 400
    html = page.content.decode()
    assert "http://" in html and "My careful words" in html
    assert not shared_entry.evidence.exists()


def test_a_script_gets_json_refusals_and_success(
    shared_entry: Entry, member_client: Client, world: SimpleNamespace
) -> None:
    refused = member_client.post(
        _add_url(shared_entry), {"kind": "url", "url": "ftp://example.org/x"}, **JSON
    )
    assert refused.status_code == 400
    assert refused.json()["code"] == "invalid" and refused.json()["detail"]
    missing = member_client.post(
        _add_url(shared_entry), {"kind": "post", "target": 999_999}, **JSON
    )
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    blank = member_client.post(_add_url(shared_entry), {"kind": "post"}, **JSON)
    assert blank.status_code == 400 and "target" in blank.json()["fields"]
    made = member_client.post(
        _add_url(shared_entry), {"kind": "post", "target": world.post.pk}, **JSON
    )
    assert made.status_code == 201
    assert Evidence.objects.get(pk=made.json()["id"]).post_id == world.post.pk


def test_the_resource_picker_lists_and_finds_resources(
    shared_entry: Entry, member_client: Client, world: SimpleNamespace
) -> None:
    html = member_client.get(_add_url(shared_entry, kind="resource")).content.decode()
    assert "Partnership agreement template" in html and "Listening guide" in html
    found = member_client.get(_add_url(shared_entry, kind="resource", q="secret")).content
    assert b"Secret circle notes" in found and b"Listening guide" not in found
    done = member_client.post(
        _add_url(shared_entry, q="secret"),
        {"kind": "resource", "target": world.secret_resource.pk, "annotation": "Found it"},
    )
    assert done.status_code == 302
    assert shared_entry.evidence.get().resource_id == world.secret_resource.pk


def test_use_as_evidence_prefills_the_picker(
    shared_entry: Entry, member_client: Client, world: SimpleNamespace
) -> None:
    html = member_client.get(
        _add_url(shared_entry, evidence=f"resource:{world.file_resource.pk}:1")
    ).content.decode()
    assert f'<option value="{world.file_resource.pk}" selected>' in html
    assert 'name="version" value="1"' in html


def test_uploading_a_file_as_evidence(
    shared_entry: Entry, member_client: Client, signed_in: Callable[[User], Client],
    member2: User, outsider: User,
) -> None:  # fmt: skip
    done = member_client.post(
        _add_url(shared_entry),
        {
            "kind": "file",
            "annotation": "Minutes",
            "file": SimpleUploadedFile("minutes.pdf", pdf_bytes("Minutes of the meeting")),
        },
    )
    assert done.status_code == 302
    item = shared_entry.evidence.get()
    assert item.label == "minutes.pdf"
    download = reverse("files:download", args=[item.file_id])
    assert download in member_client.get(shared_entry.get_absolute_url()).content.decode()
    # Readers of the entry may download it; nobody else.
    assert signed_in(member2).get(download).status_code == 200
    assert signed_in(outsider).get(download).status_code == 404


def test_an_unaccepted_file_is_refused_on_the_form(
    shared_entry: Entry, member_client: Client
) -> None:
    page = member_client.post(
        _add_url(shared_entry),
        {
            "kind": "file",
            "annotation": "Kept text",
            "file": SimpleUploadedFile("tool.exe", b"MZ\x90\x00binary"),
        },
    )
    assert page.status_code in (400, 415)
    assert b"Kept text" in page.content and not shared_entry.evidence.exists()


@pytest.mark.parametrize("who", ["member2", "facilitator", "outsider", None])
def test_only_the_author_reaches_the_evidence_pages(
    who: str | None,
    request: pytest.FixtureRequest,
    shared_entry: Entry,
    world: SimpleNamespace,
    cite: Callable[..., Evidence],
    client_for: Callable[[User | None], Client],
) -> None:
    item = cite(shared_entry, "post", target=world.post.pk)
    client = client_for(request.getfixturevalue(who) if who else None)
    pk = shared_entry.pk
    assert client.get(_add_url(shared_entry, kind="url")).status_code == 404
    post = {"kind": "url", "url": "https://example.org/"}
    assert client.post(_add_url(shared_entry), post).status_code == 404
    for name, data in (
        ("evidence_edit", {"annotation": "Taken over"}),
        ("evidence_remove", {}),
        ("evidence_move", {"direction": "up"}),
    ):
        assert client.post(reverse(f"journals:{name}", args=[pk, item.pk]), data).status_code == 404
    item.refresh_from_db()
    assert item.annotation == "" and shared_entry.evidence.count() == 1


# --- editing, removing, reordering --------------------------------------------------------


def test_editing_removing_and_moving(
    shared_entry: Entry,
    member_client: Client,
    world: SimpleNamespace,
    cite: Callable[..., Evidence],
) -> None:
    first = cite(shared_entry, "post", target=world.post.pk, annotation="First")
    second = cite(shared_entry, "goal", target=world.goal.pk, annotation="Second")
    third = cite(shared_entry, "url", url="https://example.org/3", label="Third")
    edit_url = reverse("journals:evidence_edit", args=[shared_entry.pk, second.pk])
    form = member_client.get(edit_url).content.decode()
    assert "Co-design with partners" in form and "Second</textarea>" in form
    assert 'name="label"' not in form
    saved = member_client.post(edit_url, {"annotation": "Now clearer", "next": "edit"})
    assert saved.status_code == 302
    assert saved["Location"].startswith(reverse("journals:entry_edit", args=[shared_entry.pk]))
    second.refresh_from_db()
    assert second.annotation == "Now clearer"

    too_long = member_client.post(edit_url, {"annotation": "x" * 2001})
    assert too_long.status_code == 400 and b"x" * 2001 in too_long.content

    move = reverse("journals:evidence_move", args=[shared_entry.pk, third.pk])
    assert member_client.post(move, {"direction": "up"}).status_code == 302
    order = list(shared_entry.evidence.order_by("order").values_list("pk", flat=True))
    assert order == [first.pk, third.pk, second.pk]
    answer = member_client.post(move, {"direction": "up"}, **JSON)
    assert answer.json()["order"] == [third.pk, first.pk, second.pk]
    assert member_client.post(move, {"direction": "sideways"}).status_code == 302

    remove = reverse("journals:evidence_remove", args=[shared_entry.pk, first.pk])
    assert member_client.get(remove).status_code == 405
    assert member_client.post(remove).status_code == 302
    assert list(shared_entry.evidence.values_list("pk", flat=True).order_by("order")) == [
        third.pk,
        second.pk,
    ]


def test_removing_an_uploaded_file_deletes_it(
    shared_entry: Entry,
    member_client: Client,
    cite: Callable[..., Evidence],
    django_capture_on_commit_callbacks: Any,
) -> None:
    from files.models import StoredFile

    item = cite(
        shared_entry, "file", upload=SimpleUploadedFile("a.pdf", pdf_bytes("A")), annotation=""
    )
    stored = StoredFile.objects.get(pk=item.file_id)
    path_on_disk = stored.path
    assert path_on_disk.exists()
    remove = reverse("journals:evidence_remove", args=[shared_entry.pk, item.pk])
    with django_capture_on_commit_callbacks(execute=True):
        member_client.post(remove)
    assert not StoredFile.objects.filter(pk=stored.pk).exists()
    assert not path_on_disk.exists()


def test_the_author_sees_controls_a_reader_does_not(
    shared_entry: Entry,
    member_client: Client,
    signed_in: Callable[[User], Client],
    member2: User,
    world: SimpleNamespace,
    cite: Callable[..., Evidence],
) -> None:
    cite(shared_entry, "post", target=world.post.pk)
    cite(shared_entry, "goal", target=world.goal.pk)
    mine = member_client.get(shared_entry.get_absolute_url()).content.decode()
    assert "Add evidence" in mine and "Move down" in mine and "Remove" in mine
    theirs = signed_in(member2).get(shared_entry.get_absolute_url()).content.decode()
    assert "Co-design with partners" in theirs
    assert "Add evidence" not in theirs and "Remove" not in theirs


# --- the entry page never reveals what a reader may not see --------------------------------


@pytest.mark.parametrize("who", ["member2", "facilitator"])
def test_the_entry_page_hides_the_titles_of_what_a_reader_may_not_see(
    who: str,
    request: pytest.FixtureRequest,
    world: SimpleNamespace,
    shared_entry: Entry,
    cite: Callable[..., Evidence],
    signed_in: Callable[[User], Client],
) -> None:
    cite(shared_entry, "resource", target=world.secret_resource.pk, annotation="Annotation A")
    cite(shared_entry, "post", target=world.secret_post.pk, annotation="Annotation B")
    cite(shared_entry, "session", target=world.secret_session.pk, annotation="Annotation C")
    cite(shared_entry, "goal", target=world.secret_goal.pk, annotation="Annotation D")
    page = signed_in(request.getfixturevalue(who)).get(shared_entry.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    for word in ("Secret", "secret", "Confidential", "Closed circle"):
        assert word not in html
    for kind in (Kind.RESOURCE, Kind.POST, Kind.SESSION, Kind.GOAL):
        assert CANNOT_SEE[kind] in html
    for letter in "ABCD":
        assert f"Annotation {letter}" in html
    assert f'href="{world.secret_resource.get_absolute_url()}"' not in html
    assert f"#post-{world.secret_post.pk}" not in html


def test_a_private_entrys_evidence_is_a_404_for_everyone_else(
    write: Callable[..., Entry],
    world: SimpleNamespace,
    cite: Callable[..., Evidence],
    client_for: Callable[[User | None], Client],
    member2: User,
    facilitator: User,
    staff: User,
    home: Cohort,
) -> None:
    entry = write(title="Only mine", cohort=home)
    cite(entry, "post", target=world.post.pk, annotation="Private annotation")
    for viewer in (member2, facilitator, staff, None):
        page = client_for(viewer).get(entry.get_absolute_url())
        assert page.status_code in (302, 404)
        assert b"Private annotation" not in page.content
