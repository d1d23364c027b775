"""The editor's autosave (JSON): 200 with the new version, 409 with the entry as it stands
(nothing overwritten), 400 with messages for bad input, 404 for anyone but the author; it
never changes who can read an entry. A new entry's first autosave makes a private draft,
once, with the evidence named in its address."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from cohorts.models import Cohort
from competencies.models import Competency
from journals.models import Entry, Evidence
from journals.services import EntryInput, entry_update

pytestmark = pytest.mark.django_db

Write = Callable[..., Entry]


def autosave(client: Client, entry: Entry | int, payload: Any, *, raw: bool = False) -> Any:
    pk = entry if isinstance(entry, int) else entry.pk
    return client.post(
        reverse("journals:entry_autosave", args=[pk]),
        payload if raw else json.dumps(payload),
        content_type="application/json",
        HTTP_ACCEPT="application/json",
    )


def create(client: Client, payload: dict[str, Any], query: str = "") -> Any:
    return client.post(
        reverse("journals:entry_new") + query,
        json.dumps(payload),
        content_type="application/json",
        HTTP_ACCEPT="application/json",
    )


def fields(entry: Entry, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": entry.title,
        "body": entry.body,
        "written_on": entry.written_on.isoformat(),
        "status": entry.status,
        "cohort": str(entry.cohort_id or ""),
        "competencies": [],
        "framing_questions": [],
        "version": str(entry.version),
    }
    data.update(changes)
    return data


def test_an_autosave_answers_the_new_version(
    member_client: Client, member: User, write: Write
) -> None:
    entry = write(body="Before")
    competency = Competency.objects.filter(framework__is_default=True).first()
    assert competency is not None
    answer = autosave(
        member_client,
        entry,
        fields(
            entry,
            body="After, as I typed",
            competencies=[str(competency.pk)],
            **{f"note_{competency.pk}": "Shown here"},
        ),
    )
    assert answer.status_code == 200
    data = answer.json()
    entry.refresh_from_db()
    assert data["version"] == entry.version == 2
    assert data["id"] == entry.pk and data["saved_at"]
    assert data["edit_url"] == reverse("journals:entry_edit", args=[entry.pk])
    assert entry.body == "After, as I typed"
    assert entry.mappings.get().note == "Shown here"


def test_a_stale_autosave_is_a_409_with_the_current_text_and_writes_nothing(
    member_client: Client, member: User, write: Write
) -> None:
    entry = write(body="Start")
    entry_update(
        entry=entry, by=member, data=EntryInput(title=entry.title, body="Other tab"), version=1
    )
    answer = autosave(member_client, entry, fields(entry, body="This tab", version="1"))
    assert answer.status_code == 409
    data = answer.json()
    assert data["code"] == "stale"
    assert data["current"]["body"] == "Other tab" and data["current"]["version"] == 2
    assert data["current"]["title"] == entry.title
    entry.refresh_from_db()
    assert entry.body == "Other tab"


@pytest.mark.parametrize(
    ("payload", "raw", "field"),
    [
        ("not json", True, None),
        ("[1, 2]", True, None),
        ({"title": "", "version": "1"}, False, "title"),
        ({"title": "T", "version": "1", "body": {"nested": True}}, False, None),
        ({"title": "T"}, False, "version"),
        ({"title": "T", "version": "1", "written_on": "yesterday"}, False, "written_on"),
        ({"title": "T", "version": "1", "competencies": ["999999"]}, False, "competencies"),
        ({"title": "T", "version": "1", "status": "published"}, False, "status"),
        ({"title": "T" * 201, "version": "1"}, False, "title"),
    ],
)
def test_bad_input_is_a_400_in_json(
    member_client: Client, write: Write, payload: Any, raw: bool, field: str | None
) -> None:
    entry = write(body="Untouched")
    answer = autosave(member_client, entry, payload, raw=raw)
    assert answer.status_code == 400
    assert answer["Content-Type"].startswith("application/json")
    data = answer.json()
    assert data["code"] == "invalid" and data["detail"]
    if field is not None:
        assert field in data["errors"]
    entry.refresh_from_db()
    assert entry.body == "Untouched" and entry.version == 1


def test_autosave_never_changes_who_can_read_an_entry(
    member_client: Client, write: Write, home: Cohort
) -> None:
    private = write(cohort=home)
    answer = autosave(member_client, private, fields(private, visibility="cohort"))
    assert answer.status_code == 200 and answer.json()["visibility"] == "private"
    private.refresh_from_db()
    assert private.visibility == "private"
    shared = write(visibility="facilitators")
    answer = autosave(member_client, shared, fields(shared, visibility="private", body="x"))
    assert answer.status_code == 200
    shared.refresh_from_db()
    assert shared.visibility == "facilitators" and shared.body == "x"


def test_autosave_cannot_carry_a_shared_entry_into_another_cohort(
    member_client: Client,
    member: User,
    write: Write,
    make_cohort: Any,
    seat: Any,
    facilitator: User,
) -> None:
    second = make_cohort(by=facilitator, title="Second circle")
    seat(second, member)
    entry = write(visibility="cohort")
    answer = autosave(member_client, entry, fields(entry, cohort=str(second.pk)))
    assert answer.status_code == 400 and "cohort" in answer.json()["errors"]
    entry.refresh_from_db()
    assert entry.cohort_id != second.pk and entry.visibility == "cohort"


def test_untying_a_shared_entry_from_its_cohort_makes_it_private(
    member_client: Client, write: Write
) -> None:
    entry = write(visibility="cohort")
    answer = autosave(member_client, entry, fields(entry, cohort=""))
    assert answer.status_code == 200 and answer.json()["visibility"] == "private"


@pytest.mark.parametrize("who", ["member2", "facilitator", "outsider", None])
def test_only_the_author_autosaves(
    write: Write, client_for: Any, request: Any, who: str | None
) -> None:
    entry = write(visibility="facilitators", body="Mine")
    user = request.getfixturevalue(who) if who else None
    answer = autosave(client_for(user), entry, fields(entry, body="Not yours"))
    assert answer.status_code == 404
    assert answer.json()["detail"]
    entry.refresh_from_db()
    assert entry.body == "Mine"


def test_autosave_is_post_only_and_checks_csrf(member: User, write: Write) -> None:
    entry = write()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(member)
    answer = autosave(strict, entry, fields(entry, body="Forged"))
    assert answer.status_code == 403
    entry.refresh_from_db()
    assert entry.body != "Forged"
    got = strict.get(reverse("journals:entry_autosave", args=[entry.pk]))
    assert got.status_code == 405


# --- a new entry's first autosave --------------------------------------------------------------


def test_the_first_autosave_makes_a_private_draft_once(
    member_client: Client, member: User, home: Cohort
) -> None:
    payload = {
        "title": "Started typing",
        "body": "A first line",
        "cohort": str(home.pk),
        "visibility": "cohort",  # never taken from an autosave
        "status": "draft",
        "competencies": [],
        "draft_key": "0f8e2a4c-1111-4222-8333-944455556666",
    }
    first = create(member_client, payload)
    assert first.status_code == 201
    data = first.json()
    entry = Entry.objects.get(author=member)
    assert data["id"] == entry.pk and data["version"] == entry.version
    assert data["edit_url"] == reverse("journals:entry_edit", args=[entry.pk])
    assert data["autosave_url"] == reverse("journals:entry_autosave", args=[entry.pk])
    assert entry.visibility == "private" and entry.status == "draft"
    # The answer got lost; the editor tries again with the same key: still one draft.
    again = create(member_client, {**payload, "body": "A first line, and more"})
    assert again.status_code == 200 and again.json()["id"] == entry.pk
    assert Entry.objects.filter(author=member).count() == 1
    entry.refresh_from_db()
    assert entry.body == "A first line, and more"


def test_a_first_autosave_without_a_title_is_refused(member_client: Client, member: User) -> None:
    answer = create(member_client, {"title": "  ", "body": "text"})
    assert answer.status_code == 400 and "title" in answer.json()["errors"]
    assert not Entry.objects.filter(author=member).exists()


def test_the_first_autosave_attaches_the_evidence_and_later_saves_keep_its_annotation(
    member_client: Client, member: User, member2: User, home: Cohort
) -> None:
    from resources.services import ResourceInput, resource_create

    resource = resource_create(
        cohort=home,
        by=member2,
        kind="link",
        data=ResourceInput(title="Guide", url="https://example.org/g"),
    )
    ref = f"resource:{resource.pk}"
    first = create(
        member_client,
        {"title": "Using the guide", "evidence": ref, "attach_evidence": True, "annotation": "It"},
        query=f"?evidence={ref}",
    )
    assert first.status_code == 201
    data = first.json()
    evidence = Evidence.objects.get(entry__author=member)
    assert data["evidence_id"] == evidence.pk and evidence.annotation == "It"
    entry = Entry.objects.get(author=member)
    # The editor keeps typing the annotation: it saves with the entry.
    answer = autosave(
        member_client,
        entry,
        fields(
            entry,
            version=str(data["version"]),
            evidence_id=str(evidence.pk),
            annotation="It shows how I plan",
        ),
    )
    assert answer.status_code == 200
    evidence.refresh_from_db()
    entry.refresh_from_db()
    assert evidence.annotation == "It shows how I plan"
    assert answer.json()["version"] == entry.version  # the next save is based on it
    assert autosave(member_client, entry, fields(entry)).status_code == 200


def test_a_first_autosave_with_uncitable_evidence_saves_nothing(
    member_client: Client, member: User, other_cohort: Cohort, other_facilitator: User
) -> None:
    from resources.services import ResourceInput, resource_create

    resource = resource_create(
        cohort=other_cohort,
        by=other_facilitator,
        kind="link",
        data=ResourceInput(title="Theirs", url="https://example.org/t"),
    )
    answer = create(
        member_client,
        {"title": "T", "evidence": f"resource:{resource.pk}", "attach_evidence": True},
    )
    assert answer.status_code == 400 and answer.json()["field"] == "evidence"
    assert not Entry.objects.filter(author=member).exists()


def test_annotations_of_evidence_on_another_entry_are_not_touched(
    member_client: Client, member: User, write: Write
) -> None:
    mine, other = write(title="One"), write(title="Two")
    evidence = Evidence.objects.create(entry=other, kind="url", url="https://e.org", annotation="A")
    answer = autosave(
        member_client, mine, fields(mine, evidence_id=str(evidence.pk), annotation="Changed")
    )
    assert answer.status_code == 200
    evidence.refresh_from_db()
    assert evidence.annotation == "A"


def test_a_first_autosave_answers_a_closed_prompt_named_in_the_address(
    member_client: Client, member: User, home: Cohort, facilitator: User
) -> None:
    from journals.services import PromptInput, prompt_close, prompt_create

    prompt = prompt_create(cohort=home, by=facilitator, data=PromptInput(title="Looking back"))
    prompt_close(prompt=prompt, by=facilitator)
    answer = create(
        member_client,
        {"title": "My answer", "prompt": str(prompt.pk), "cohort": str(home.pk)},
        query=f"?prompt={prompt.pk}",
    )
    assert answer.status_code == 201
    assert Entry.objects.get(author=member).prompt == prompt
    # Not named in the address, a closed prompt is no longer offered.
    refused = create(member_client, {"title": "Another", "prompt": str(prompt.pk)})
    assert refused.status_code == 400 and "prompt" in refused.json()["errors"]
