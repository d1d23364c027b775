"""The entry pages without JavaScript: write, edit (with a version check that shows both
texts), prefill from a prompt or evidence, who can read it, delete and restore, and the
same 404 for everyone an entry is not for."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from cohorts.models import Cohort
from competencies.models import Competency, FramingQuestion
from journals.models import Entry, Evidence
from journals.services import EntryInput, PromptInput, entry_delete, entry_update, prompt_create

pytestmark = pytest.mark.django_db

Write = Callable[..., Entry]


def codes(n: int = 2) -> list[Competency]:
    return list(
        Competency.objects.filter(framework__is_default=True).order_by("area__order", "order")[:n]
    )


def entry_form(**fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Listening before planning",
        "written_on": "2031-10-02",
        "body": "We **listened** first.\n\n  Indented line kept.",
        "status": "draft",
        "visibility": "private",
    }
    data.update(fields)
    return data


def field_value(html: str, name: str) -> str:
    found = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', html)
    return found.group(1) if found else ""


# --- writing ---------------------------------------------------------------------------------


def test_the_new_entry_form_has_stable_ids_and_is_private_by_default(
    member_client: Client, home: Cohort
) -> None:
    page = member_client.get(reverse("journals:entry_new"))
    assert page.status_code == 200
    html = page.content.decode()
    for marker in ('id="id_title"', 'id="id_body"', 'id="autosave-status"', 'id="entry-form"'):
        assert marker in html
    private = re.search(r'<input[^>]*name="visibility"[^>]*value="private"[^>]*>', html)
    assert private and "checked" in private.group(0)
    assert 'name="version"' not in html  # only an edit carries one
    # Only the person's own cohorts are offered.
    assert home.title in html
    assert 'src="/static/js/journal_editor.js"' in html


def test_an_entry_is_written_with_competency_notes_and_framing_questions(
    member_client: Client, member: User, home: Cohort
) -> None:
    first, second = codes()
    question = FramingQuestion.objects.filter(framework__is_default=True).first()
    assert question is not None
    page = member_client.post(
        reverse("journals:entry_new"),
        entry_form(
            competencies=[first.pk, second.pk],
            **{f"note_{first.pk}": "I led the listening circle."},
            framing_questions=[question.pk],
            cohort=home.pk,
        ),
    )
    entry = Entry.objects.get(author=member)
    assert page.status_code == 302 and page["Location"] == entry.get_absolute_url()
    assert entry.visibility == "private" and entry.cohort == home
    assert entry.body == "We **listened** first.\n\n  Indented line kept."
    notes = {m.competency_id: m.note for m in entry.mappings.all()}
    assert notes == {first.pk: "I led the listening circle.", second.pk: ""}
    assert list(entry.framing_questions.all()) == [question]
    shown = member_client.get(entry.get_absolute_url()).content.decode()
    assert "<strong>listened</strong>" in shown
    assert "I led the listening circle." in shown and first.code in shown
    assert question.title in shown


def test_sharing_without_a_cohort_is_refused_at_the_cohort_field_and_keeps_the_text(
    member_client: Client, member: User, home: Cohort
) -> None:
    page = member_client.post(
        reverse("journals:entry_new"),
        entry_form(visibility="facilitators", body="Every word I typed."),
    )
    assert page.status_code == 400
    assert not Entry.objects.filter(author=member).exists()
    html = page.content.decode()
    assert "Choose the cohort to share it with" in html
    assert "Every word I typed." in html and 'value="Listening before planning"' in html


def test_a_cohort_the_person_does_not_belong_to_is_not_offered(
    member_client: Client, member: User, other_cohort: Cohort
) -> None:
    page = member_client.post(reverse("journals:entry_new"), entry_form(cohort=other_cohort.pk))
    assert page.status_code == 400
    assert not Entry.objects.filter(author=member).exists()
    assert (
        other_cohort.title not in member_client.get(reverse("journals:entry_new")).content.decode()
    )


# --- prefill ---------------------------------------------------------------------------------


def test_a_prompt_brings_its_cohort_competencies_and_framing_questions(
    member_client: Client, member: User, home: Cohort, facilitator: User
) -> None:
    first, second = codes()
    question = FramingQuestion.objects.filter(framework__is_default=True).first()
    prompt = prompt_create(
        cohort=home,
        by=facilitator,
        data=PromptInput(
            title="What did the partner teach you?",
            body="Think of **one** moment.",
            competencies=[first.pk, second.pk],
            framing_questions=[question],
        ),
    )
    url = reverse("journals:entry_new") + f"?prompt={prompt.pk}"
    html = member_client.get(url).content.decode()
    assert "What did the partner teach you?" in html and "<strong>one</strong>" in html
    assert re.search(rf'<input type="hidden" name="prompt" value="{prompt.pk}"', html)
    assert not re.search(r'<select name="prompt"', html)  # hidden when prefilled
    for competency in (first, second):
        box = re.search(rf'<input[^>]*name="competencies"[^>]*value="{competency.pk}"[^>]*>', html)
        assert box and "checked" in box.group(0)
    selected = re.search(rf'<option value="{home.pk}" selected>', html)
    assert selected
    # Saving answers the prompt (the form posts back to the same address).
    page = member_client.post(
        url,
        entry_form(
            prompt=prompt.pk,
            cohort=home.pk,
            competencies=[first.pk],
            framing_questions=[question.pk],
        ),
    )
    assert page.status_code == 302
    assert Entry.objects.get(author=member).prompt == prompt


def test_a_prompt_of_another_cohort_is_not_prefilled(
    member_client: Client, other_cohort: Cohort, other_facilitator: User, home: Cohort
) -> None:
    prompt = prompt_create(
        cohort=other_cohort, by=other_facilitator, data=PromptInput(title="Secret prompt")
    )
    html = member_client.get(reverse("journals:entry_new") + f"?prompt={prompt.pk}").content
    assert b"Secret prompt" not in html
    assert b"That prompt is not one of your cohorts" in html


def _resource(home: Cohort, by: User, title: str = "Asset mapping guide") -> Any:
    from resources.services import ResourceInput, resource_create

    return resource_create(
        cohort=home,
        by=by,
        kind="link",
        data=ResourceInput(title=title, url="https://example.org/guide"),
    )


def test_evidence_in_the_address_is_described_and_attached_with_the_entry(
    member_client: Client, member: User, member2: User, home: Cohort
) -> None:
    resource = _resource(home, member2)
    url = reverse("journals:entry_new") + f"?evidence=resource:{resource.pk}"
    html = member_client.get(url).content.decode()
    assert "Asset mapping guide" in html and "Shared by Mateo Member" in html
    assert field_value(html, "evidence") == f"resource:{resource.pk}"
    page = member_client.post(
        url,
        entry_form(
            evidence=f"resource:{resource.pk}",
            attach_evidence="on",
            annotation="Shows how I map assets.",
        ),
    )
    assert page.status_code == 302
    evidence = Evidence.objects.get(entry__author=member)
    assert evidence.resource == resource and evidence.annotation == "Shows how I map assets."


def test_evidence_that_cannot_be_cited_saves_nothing_and_keeps_everything_typed(
    member_client: Client,
    member: User,
    member2: User,
    home: Cohort,
    make_thread: Any,
    make_post: Any,
) -> None:
    # Someone else's post can be read, but only one's own posts are cited.
    thread = make_thread(home, member2, title="Field notes")
    post = make_post(thread, member2, body="Their words")
    url = reverse("journals:entry_new") + f"?evidence=post:{post.pk}"
    assert "Field notes" in member_client.get(url).content.decode()
    page = member_client.post(
        url,
        entry_form(
            evidence=f"post:{post.pk}",
            attach_evidence="on",
            annotation="My annotation",
            body="Kept",
        ),
    )
    assert page.status_code == 400
    assert not Entry.objects.filter(author=member).exists()  # the whole save rolled back
    html = page.content.decode()
    assert "Cite a post you wrote." in html
    assert "My annotation" in html and "Kept" in html
    # Unticking "attach" saves the entry without it.
    page = member_client.post(url, entry_form(evidence=f"post:{post.pk}", annotation="x"))
    assert page.status_code == 302
    assert not Evidence.objects.exists()


@pytest.mark.parametrize("raw", ["resource:999999", "nonsense", "file:1", "post:0"])
def test_evidence_the_person_may_not_see_is_not_carried(
    member_client: Client, home: Cohort, raw: str
) -> None:
    html = member_client.get(reverse("journals:entry_new") + f"?evidence={raw}").content.decode()
    assert "You cannot cite that" in html
    assert 'name="evidence"' not in html


def test_a_resource_of_another_cohort_is_not_described(
    member_client: Client, home: Cohort, other_cohort: Cohort, other_facilitator: User
) -> None:
    resource = _resource(other_cohort, other_facilitator, title="Their private guide")
    html = member_client.get(
        reverse("journals:entry_new") + f"?evidence=resource:{resource.pk}"
    ).content.decode()
    assert "Their private guide" not in html and "You cannot cite that" in html


def test_session_and_goal_prefill_their_cohort(
    member_client: Client, home: Cohort, add_session: Any
) -> None:
    session = add_session(home)
    html = member_client.get(
        reverse("journals:entry_new") + f"?session={session.pk}"
    ).content.decode()
    assert re.search(rf'<option value="{session.pk}" selected>', html)
    assert re.search(rf'<option value="{home.pk}" selected>', html)


# --- editing ---------------------------------------------------------------------------------


def test_editing_saves_and_a_stale_save_shows_both_texts(
    member_client: Client, member: User, write: Write
) -> None:
    entry = write(body="First text")
    edit_url = reverse("journals:entry_edit", args=[entry.pk])
    html = member_client.get(edit_url).content.decode()
    assert field_value(html, "version") == str(entry.version)
    # Another tab saves first.
    entry_update(
        entry=entry, by=member, data=EntryInput(title=entry.title, body="Tab one"), version=1
    )
    page = member_client.post(
        edit_url, entry_form(title=entry.title, body="Tab two, mine", version=1)
    )
    assert page.status_code == 409
    html = page.content.decode()
    assert 'id="conflict"' in html
    assert re.search(r'id="conflict-theirs">Tab one</pre>', html)
    assert re.search(r'id="conflict-yours">Tab two, mine</pre>', html)
    assert "Tab two, mine</textarea>" in html  # still in the form, to merge
    entry.refresh_from_db()
    assert entry.body == "Tab one"  # nothing overwritten
    # Saving again is based on the version now shown.
    assert field_value(html, "version") == str(entry.version)
    page = member_client.post(
        edit_url, entry_form(title=entry.title, body="Merged", version=entry.version)
    )
    assert page.status_code == 302
    entry.refresh_from_db()
    assert entry.body == "Merged"


def test_the_edit_form_cannot_move_a_shared_entry_to_another_cohort(
    member_client: Client,
    member: User,
    write: Write,
    make_cohort: Any,
    seat: Any,
    facilitator: User,
) -> None:
    second = make_cohort(by=facilitator, title="Second circle")
    seat(second, member)
    entry = write(visibility="facilitators")
    page = member_client.post(
        reverse("journals:entry_edit", args=[entry.pk]),
        entry_form(
            title=entry.title, cohort=second.pk, visibility="facilitators", version=entry.version
        ),
    )
    assert page.status_code == 400
    assert "first make it private" in page.content.decode()
    entry.refresh_from_db()
    assert entry.cohort_id != second.pk


def test_an_edit_missing_its_version_is_refused(member_client: Client, write: Write) -> None:
    entry = write()
    page = member_client.post(
        reverse("journals:entry_edit", args=[entry.pk]), entry_form(title="New title")
    )
    assert page.status_code == 400
    assert "lost track of the version" in page.content.decode()
    entry.refresh_from_db()
    assert entry.title != "New title"


# --- who can read it -------------------------------------------------------------------------


def test_narrowing_is_immediate_and_widening_needs_a_confirmation(
    member_client: Client, client_for: Any, facilitator: User, write: Write, home: Cohort
) -> None:
    entry = write(cohort=home)
    url = reverse("journals:entry_visibility", args=[entry.pk])
    refused = member_client.post(url, {"visibility": "facilitators"})
    assert refused.status_code == 400
    assert "tick the box to confirm" in refused.content.decode()
    entry.refresh_from_db()
    assert entry.visibility == "private"
    shared = member_client.post(url, {"visibility": "facilitators", "confirm": "on"})
    assert shared.status_code == 302
    entry.refresh_from_db()
    assert entry.visibility == "facilitators"
    assert client_for(facilitator).get(entry.get_absolute_url()).status_code == 200
    narrowed = member_client.post(url, {"visibility": "private"})
    assert narrowed.status_code == 302
    entry.refresh_from_db()
    assert entry.visibility == "private"
    assert client_for(facilitator).get(entry.get_absolute_url()).status_code == 404


def test_an_entry_without_a_cohort_offers_only_private(member_client: Client, write: Write) -> None:
    entry = write()
    html = member_client.get(entry.get_absolute_url()).content.decode()
    assert 'value="facilitators"' not in html and "first tie it to one of your cohorts" in html
    page = member_client.post(
        reverse("journals:entry_visibility", args=[entry.pk]),
        {"visibility": "cohort", "confirm": "on"},
    )
    assert page.status_code == 400
    entry.refresh_from_db()
    assert entry.visibility == "private"


def test_the_entry_page_shows_its_badge_and_the_evidence_and_feedback_seams(
    client_for: Any, member: User, facilitator: User, write: Write
) -> None:
    entry = write(visibility="facilitators")
    mine = client_for(member).get(entry.get_absolute_url())
    assert "Shared with the cohort&#x27;s facilitators" in mine.content.decode()
    assert mine.context["evidence"] == [] and mine.context["comments"] == []
    assert mine.context["can_comment"] is True
    theirs = client_for(facilitator).get(entry.get_absolute_url())
    assert theirs.status_code == 200
    html = theirs.content.decode()
    assert 'id="visibility-form"' not in html and "Edit</a>" not in html
    assert 'data-author="0"' in html and 'src="/static/js/journal_entry.js"' in html


# --- delete and restore ----------------------------------------------------------------------


def test_delete_then_restore_from_recently_deleted(
    member_client: Client, member: User, write: Write
) -> None:
    entry = write(title="To be missed")
    confirm = member_client.get(reverse("journals:entry_delete", args=[entry.pk]))
    assert confirm.status_code == 200 and b"30 days" in confirm.content
    done = member_client.post(reverse("journals:entry_delete", args=[entry.pk]))
    assert done.status_code == 302 and done["Location"] == reverse("journals:home")
    assert member_client.get(entry.get_absolute_url()).status_code == 404
    listed = member_client.get(reverse("journals:deleted")).content.decode()
    assert "To be missed" in listed
    restored = member_client.post(reverse("journals:entry_restore", args=[entry.pk]))
    assert restored.status_code == 302
    assert member_client.get(entry.get_absolute_url()).status_code == 200
    assert "To be missed" not in member_client.get(reverse("journals:deleted")).content.decode()


def test_an_entry_deleted_too_long_ago_cannot_be_restored(
    member_client: Client, member: User, write: Write
) -> None:
    entry = write(title="Long gone")
    entry_delete(entry=entry, by=member)
    Entry.objects.filter(pk=entry.pk).update(deleted_at=timezone.now() - timedelta(days=31))
    assert "Long gone" not in member_client.get(reverse("journals:deleted")).content.decode()
    page = member_client.post(reverse("journals:entry_restore", args=[entry.pk]))
    assert page.status_code == 404


# --- 404 for everyone an entry is not for -----------------------------------------------------


def _urls(entry: Entry) -> dict[str, tuple[str, str]]:
    return {
        "entry": ("get", entry.get_absolute_url()),
        "edit": ("get", reverse("journals:entry_edit", args=[entry.pk])),
        "edit_post": ("post", reverse("journals:entry_edit", args=[entry.pk])),
        "delete": ("get", reverse("journals:entry_delete", args=[entry.pk])),
        "delete_post": ("post", reverse("journals:entry_delete", args=[entry.pk])),
        "visibility": ("post", reverse("journals:entry_visibility", args=[entry.pk])),
        "restore": ("post", reverse("journals:entry_restore", args=[entry.pk])),
    }


@pytest.mark.parametrize(
    "who", ["member2", "facilitator", "other_facilitator", "staff", "outsider"]
)
def test_a_private_entry_is_not_found_for_everyone_else(
    write: Write, client_for: Any, request: Any, who: str
) -> None:
    entry = write(visibility="private", cohort=request.getfixturevalue("home"))
    client = client_for(request.getfixturevalue(who))
    for name, (method, url) in _urls(entry).items():
        response = getattr(client, method)(url, {"visibility": "private"})
        assert response.status_code == 404, name
    entry.refresh_from_db()
    assert entry.deleted_at is None


@pytest.mark.parametrize(
    ("visibility", "who", "reads"),
    [
        ("facilitators", "facilitator", True),
        ("facilitators", "member2", False),
        ("facilitators", "other_facilitator", False),
        ("cohort", "member2", True),
        ("cohort", "facilitator", True),
        ("cohort", "staff", False),
    ],
)
def test_readers_of_a_shared_entry_may_read_it_but_nothing_else(
    write: Write, client_for: Any, request: Any, visibility: str, who: str, reads: bool
) -> None:
    entry = write(visibility=visibility)
    client = client_for(request.getfixturevalue(who))
    assert client.get(entry.get_absolute_url()).status_code == (200 if reads else 404)
    for name, (method, url) in _urls(entry).items():
        if name == "entry":
            continue
        assert getattr(client, method)(url, {"visibility": "private"}).status_code == 404, name
    entry.refresh_from_db()
    assert entry.visibility == visibility and entry.deleted_at is None


def test_a_deleted_entry_is_not_found_even_for_its_author(
    member_client: Client, member: User, write: Write
) -> None:
    entry = write()
    entry_delete(entry=entry, by=member)
    for name in ("entry", "edit", "delete", "visibility"):
        method, url = _urls(entry)[name]
        assert getattr(member_client, method)(url).status_code == 404, name


def test_signed_out_visitors_are_sent_to_sign_in(anon: Client, write: Write) -> None:
    entry = write()
    for url in (reverse("journals:home"), entry.get_absolute_url(), reverse("journals:entry_new")):
        page = anon.get(url)
        assert page.status_code == 302 and "/accounts/login/" in page["Location"]
