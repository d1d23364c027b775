"""The entry services in depth: what an entry may be tied to, its competencies and text,
versioned saves, who reads it after each change (and that those who lose it are told at
once), soft delete and restore."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import User
from cohorts.models import Cohort, LearningGoal, Membership, Session
from cohorts.services import goal_propose, membership_leave, session_create
from competencies.models import Competency
from journals import events, permissions
from journals.models import COMPETENCIES_PER_ENTRY, RESTORE_DAYS, Entry, EntryCompetency
from journals.services import (
    EntryInput,
    JournalError,
    PromptInput,
    entry_create,
    entry_delete,
    entry_restore,
    entry_set_visibility,
    entry_update,
    prompt_create,
)
from journals.services.entries import StaleEntry

pytestmark = pytest.mark.django_db

Published = list[tuple[str, dict[str, Any]]]


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> Published:
    """What the journal services publish to open pages and sockets (group, payload)."""
    sent: Published = []
    monkeypatch.setattr(
        events, "publish_on_commit", lambda group, payload: sent.append((group, payload))
    )
    return sent


def kinds(sent: Published) -> list[str]:
    return [payload["type"] for _, payload in sent]


def session_in(cohort: Cohort, by: User, *, days: int = -2, title: str = "Session") -> Session:
    start = (timezone.now() + dt.timedelta(days=days)).replace(second=0, microsecond=0)
    return session_create(
        cohort=cohort, by=by, title=title, starts_at=start, ends_at=start + dt.timedelta(hours=1)
    )


def save(entry: Entry, by: User, **fields: Any) -> Entry:
    """Save ``entry`` as its author's edit based on its current version."""
    visibility = fields.pop("visibility", None)
    fields.setdefault("title", entry.title)
    fresh = Entry.objects.get(pk=entry.pk)
    return entry_update(
        entry=fresh, by=by, data=EntryInput(**fields), version=fresh.version, visibility=visibility
    )


def forget(user: User) -> User:
    """The same person as a new request sees them (no cached cohort ids)."""
    return User.objects.get(pk=user.pk)


# --- creating: text, competencies, framing questions --------------------------------------


def test_markdown_is_sanitised_and_script_never_survives(
    write: Callable[..., Entry],
) -> None:
    entry = write(
        body=(
            "**Bold** move.\n\n<script>alert('x')</script>\n\n"
            "[click](javascript:alert(1)) <img src=x onerror=alert(1)>"
        )
    )
    assert "<strong>Bold</strong>" in entry.body_html
    # Raw HTML is shown as text, never as markup; a javascript: link is not a link.
    for bad in ("<script", "<img", "href="):
        assert bad not in entry.body_html
    assert "&lt;script&gt;" in entry.body_html
    assert "<script>" in entry.body  # the author's text is kept as written
    assert "Bold move" in entry.search_text and "**" not in entry.search_text


def test_title_is_required_and_status_must_be_draft_or_final(
    write: Callable[..., Entry],
) -> None:
    with pytest.raises(JournalError) as blank:
        write(title="   ")
    assert (blank.value.code, blank.value.field) == ("blank", "title")
    with pytest.raises(JournalError) as status:
        write(status="published")
    assert status.value.field == "status"
    assert not Entry.objects.exists()


def test_unknown_competency_codes_are_refused_and_nothing_is_written(
    write: Callable[..., Entry], framework: Any
) -> None:
    with pytest.raises(JournalError) as caught:
        write(competencies=["PAR-1", "PAR-99"])
    assert caught.value.field == "competencies"
    with pytest.raises(JournalError):
        write(competencies=[999_999])
    assert not Entry.objects.exists()


def test_an_entry_maps_to_at_most_a_dozen_competencies(
    write: Callable[..., Entry], framework: Any
) -> None:
    codes = list(
        Competency.objects.filter(framework=framework).order_by("pk").values_list("code", flat=True)
    )
    entry = write(competencies=codes[:COMPETENCIES_PER_ENTRY])
    assert entry.mappings.count() == COMPETENCIES_PER_ENTRY
    with pytest.raises(JournalError) as caught:
        write(competencies=codes[: COMPETENCIES_PER_ENTRY + 1])
    assert caught.value.field == "competencies"
    assert Entry.objects.count() == 1


def test_competencies_by_object_id_or_code_with_notes_by_either(
    write: Callable[..., Entry], framework: Any
) -> None:
    par1, par3 = Competency.objects.filter(code__in=["PAR-1", "PAR-3"]).order_by("code")
    entry = write(
        competencies=[par1, str(par3.pk)],
        notes={"PAR-1": "My identities in the room.", par3.pk: "I kept it going."},
        framing_questions=["experience", "growth"],
    )
    notes = dict(entry.mappings.values_list("competency__code", "note"))
    assert notes == {"PAR-1": "My identities in the room.", "PAR-3": "I kept it going."}
    assert set(entry.framing_questions.values_list("slug", flat=True)) == {"experience", "growth"}
    assert "I kept it going." in entry.search_text


def test_unknown_framing_questions_are_refused(write: Callable[..., Entry], framework: Any) -> None:
    with pytest.raises(JournalError) as caught:
        write(framing_questions=["experience", "vibes"])
    assert caught.value.field == "framing_questions"


def test_saving_rewrites_the_mappings_keeping_and_dropping_as_asked(
    write: Callable[..., Entry], member: User, framework: Any
) -> None:
    entry = write(competencies=["PAR-1", "PAR-3"], notes={"PAR-1": "first"})
    kept = entry.mappings.get(competency__code="PAR-1")
    save(entry, member, competencies=["PAR-1", "PAR-5"], notes={"PAR-1": "second"})
    assert dict(
        EntryCompetency.objects.filter(entry=entry).values_list("competency__code", "note")
    ) == {
        "PAR-1": "second",
        "PAR-5": "",
    }
    assert entry.mappings.get(competency__code="PAR-1").pk == kept.pk


# --- ties: cohort, session, goal, prompt ------------------------------------------------------


def test_a_session_brings_its_cohort(
    write: Callable[..., Entry], home: Cohort, facilitator: User
) -> None:
    session = session_in(home, facilitator)
    entry = write(session=session)
    assert (entry.cohort_id, entry.session_id) == (home.pk, session.pk)


def test_ties_must_be_from_cohorts_the_author_belongs_to(
    write: Callable[..., Entry],
    other_cohort: Cohort,
    other_facilitator: User,
) -> None:
    session = session_in(other_cohort, other_facilitator)
    goal = goal_propose(cohort=other_cohort, by=other_facilitator, title="Their goal")
    prompt = prompt_create(
        cohort=other_cohort, by=other_facilitator, data=PromptInput(title="Theirs")
    )
    for field, tie in (("session", session), ("goal", goal), ("prompt", prompt)):
        with pytest.raises(JournalError) as caught:
            write(**{field: tie})
        assert caught.value.field == field
    assert not Entry.objects.exists()


def test_session_goal_and_prompt_must_agree_with_the_cohort(
    write: Callable[..., Entry],
    member: User,
    home: Cohort,
    facilitator: User,
    make_cohort: Callable[..., Cohort],
    seat: Callable[..., Membership],
) -> None:
    second = make_cohort(by=facilitator, title="A second cohort of mine")
    seat(second, member)
    session = session_in(home, facilitator)
    goal = goal_propose(cohort=second, by=member, title="Map our assets")
    prompt = prompt_create(cohort=home, by=facilitator, data=PromptInput(title="Ask a partner"))
    with pytest.raises(JournalError) as caught:
        write(cohort=second, session=session)
    assert caught.value.field == "session"
    with pytest.raises(JournalError) as caught:
        write(session=session, goal=goal)
    assert caught.value.field == "goal"
    with pytest.raises(JournalError) as caught:
        write(cohort=second, prompt=prompt)
    assert caught.value.field == "prompt"
    entry = write(session=session, prompt=prompt, cohort=home)
    assert entry.cohort_id == home.pk and entry.prompt_id == prompt.pk


def test_an_author_who_left_keeps_editing_but_cannot_tie_anew(
    write: Callable[..., Entry],
    member: User,
    home: Cohort,
    facilitator: User,
) -> None:
    session = session_in(home, facilitator)
    shared = write(session=session, visibility="facilitators")
    membership_leave(membership=Membership.objects.get(cohort=home, user=member))
    member = forget(member)
    saved = save(shared, member, body="Still mine to edit.", session=session, cohort=home)
    assert saved.body == "Still mine to edit." and saved.visibility == "facilitators"
    loose = write(author=member)
    with pytest.raises(JournalError) as caught:
        save(loose, member, cohort=home)
    assert caught.value.field == "cohort"


# --- versioned saves ------------------------------------------------------------------------


def test_each_save_bumps_the_version_and_a_stale_one_writes_nothing(
    write: Callable[..., Entry], member: User
) -> None:
    entry = write(body="one")
    v1 = entry.version
    saved = entry_update(entry=entry, by=member, data=EntryInput(title="T", body="two"), version=v1)
    assert saved.version == v1 + 1
    with pytest.raises(StaleEntry) as caught:
        entry_update(entry=entry, by=member, data=EntryInput(title="X", body="three"), version=v1)
    assert caught.value.code == "stale"
    assert (caught.value.current.body, caught.value.current.version) == ("two", v1 + 1)
    entry.refresh_from_db()
    assert (entry.title, entry.body) == ("T", "two")


def test_only_the_author_edits_and_not_once_deleted(
    write: Callable[..., Entry], member: User, member2: User, facilitator: User
) -> None:
    entry = write(visibility="cohort")
    for other in (member2, facilitator):
        with pytest.raises(JournalError) as caught:
            save(entry, other, body="Not mine")
        assert caught.value.code == "not_found"
    entry_delete(entry=entry, by=member)
    with pytest.raises(JournalError):
        save(entry, member, body="Gone")
    with pytest.raises(JournalError):
        entry_set_visibility(entry=entry, by=member, visibility="private")


# --- who reads it: sharing, narrowing, untying -------------------------------------------------


def test_sharing_at_creation_needs_a_cohort(member: User, home: Cohort) -> None:
    with pytest.raises(JournalError) as caught:
        entry_create(author=member, data=EntryInput(title="Mine"), visibility="facilitators")
    assert caught.value.field == "cohort"
    with pytest.raises(JournalError) as bad:
        entry_create(author=member, data=EntryInput(title="Mine", cohort=home), visibility="all")
    assert bad.value.field == "visibility"


def test_widening_is_announced_as_a_change_and_narrowing_as_lost_access(
    write: Callable[..., Entry], member: User, published: Published
) -> None:
    entry = write(visibility="facilitators")
    v = entry.version
    entry_set_visibility(entry=entry, by=member, visibility="cohort")
    assert kinds(published) == ["journals.entry_changed"]
    assert published[-1][0] == events.entry_group(entry.pk)
    entry_set_visibility(entry=entry, by=member, visibility="facilitators")
    entry_set_visibility(entry=entry, by=member, visibility="private")
    assert kinds(published) == [
        "journals.entry_changed",
        "journals.entry_access",
        "journals.entry_access",
    ]
    entry.refresh_from_db()
    assert (entry.visibility, entry.version) == ("private", v + 3)
    entry_set_visibility(entry=entry, by=member, visibility="private")  # no change
    entry.refresh_from_db()
    assert entry.version == v + 3 and len(published) == 3


def test_only_the_author_shares(
    write: Callable[..., Entry], member2: User, facilitator: User, home: Cohort
) -> None:
    entry = write(cohort=home)
    for other in (member2, facilitator):
        with pytest.raises(JournalError) as caught:
            entry_set_visibility(entry=entry, by=other, visibility="cohort")
        assert caught.value.code == "not_found"
    entry.refresh_from_db()
    assert entry.visibility == "private"


def test_autosave_keeps_visibility_and_never_announces(
    write: Callable[..., Entry], member: User, home: Cohort, published: Published
) -> None:
    entry = write(visibility="cohort")
    saved = save(entry, member, body="more", cohort=home)
    assert saved.visibility == "cohort" and published == []


def test_untying_the_cohort_makes_it_private_at_once(
    write: Callable[..., Entry],
    member: User,
    member2: User,
    facilitator: User,
    published: Published,
) -> None:
    entry = write(visibility="cohort")
    assert permissions.can_view_entry(member2, entry)
    saved = save(entry, member, body="Untied", cohort=None)
    assert (saved.cohort_id, saved.visibility) == (None, "private")
    assert kinds(published) == ["journals.entry_access"]
    assert not permissions.can_view_entry(forget(member2), saved)
    assert not permissions.can_view_entry(forget(facilitator), saved)


def test_moving_a_shared_entry_to_another_cohort_never_shares_it_there(
    write: Callable[..., Entry],
    member: User,
    home: Cohort,
    make_cohort: Callable[..., Cohort],
    other_facilitator: User,
    seat: Callable[..., Membership],
    published: Published,
) -> None:
    other = make_cohort(by=other_facilitator, title="Elsewhere")
    seat(other, member)
    member = forget(member)
    entry = write(visibility="facilitators")
    moved = save(entry, member, cohort=other)
    assert (moved.cohort_id, moved.visibility) == (other.pk, "private")
    assert kinds(published) == ["journals.entry_access"]
    assert not permissions.can_view_entry(forget(other_facilitator), moved)
    # Sharing with the new cohort is the author's explicit choice.
    again = save(moved, member, cohort=other, visibility="facilitators")
    assert permissions.can_view_entry(forget(other_facilitator), again)


def test_an_explicit_narrower_visibility_on_save_is_announced(
    write: Callable[..., Entry], member: User, home: Cohort, published: Published
) -> None:
    entry = write(visibility="cohort")
    saved = save(entry, member, cohort=home, visibility="facilitators")
    assert saved.visibility == "facilitators"
    assert kinds(published) == ["journals.entry_access"]


# --- delete and restore -----------------------------------------------------------------------


def test_deleting_a_shared_entry_hides_it_at_once_and_the_author_restores_it(
    write: Callable[..., Entry], member: User, facilitator: User, published: Published
) -> None:
    entry = write(visibility="facilitators")
    entry_delete(entry=entry, by=member)
    assert kinds(published) == ["journals.entry_access"]
    entry.refresh_from_db()
    assert not permissions.can_view_entry(facilitator, entry)
    assert not permissions.can_view_entry(member, entry)
    assert not permissions.entries_visible_to(forget(facilitator)).filter(pk=entry.pk).exists()
    restored = entry_restore(entry=entry, by=member)
    assert restored.deleted_at is None and restored.visibility == "facilitators"
    assert permissions.can_view_entry(forget(facilitator), restored)


def test_deleting_a_private_entry_announces_nothing(
    write: Callable[..., Entry], member: User, published: Published
) -> None:
    entry_delete(entry=write(), by=member)
    assert published == []


def test_restore_is_the_authors_and_only_for_thirty_days(
    write: Callable[..., Entry], member: User, member2: User
) -> None:
    entry = write(visibility="cohort")
    entry_delete(entry=entry, by=member)
    with pytest.raises(JournalError):
        entry_restore(entry=entry, by=member2)
    Entry.objects.filter(pk=entry.pk).update(
        deleted_at=timezone.now() - dt.timedelta(days=RESTORE_DAYS, minutes=1)
    )
    entry.refresh_from_db()
    with pytest.raises(JournalError) as caught:
        entry_restore(entry=entry, by=member)
    assert caught.value.code == "not_found"


def test_others_cannot_delete(
    write: Callable[..., Entry], member2: User, facilitator: User
) -> None:
    entry = write(visibility="cohort")
    for other in (member2, facilitator):
        with pytest.raises(JournalError):
            entry_delete(entry=entry, by=other)
    assert Entry.objects.get(pk=entry.pk).deleted_at is None


def test_a_goal_tie_is_kept_with_its_cohort(
    write: Callable[..., Entry], member: User, home: Cohort
) -> None:
    goal = goal_propose(cohort=home, by=member, title="Co-write agreements")
    entry = write(goal=goal)
    assert entry.cohort_id == home.pk
    assert LearningGoal.objects.filter(pk=entry.goal_id).exists()
