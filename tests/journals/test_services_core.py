"""The entry services: create, versioned save, sharing, delete and restore, evidence."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from accounts.models import User
from cohorts.models import Cohort
from journals.models import Entry, Evidence
from journals.services import (
    EntryInput,
    EvidenceInput,
    JournalError,
    entry_delete,
    entry_restore,
    entry_set_visibility,
    entry_update,
    evidence_add,
)
from journals.services.entries import StaleEntry

pytestmark = pytest.mark.django_db


def test_new_entry_is_private_and_maps_competencies_with_notes(
    write: Callable[..., Entry], framework: Any
) -> None:
    codes = list(framework.competencies.values_list("code", flat=True)[:2])
    entry = write(competencies=codes, notes={codes[0]: "I led the listening session."})
    assert entry.visibility == Entry.Visibility.PRIVATE
    notes = {m.competency.code: m.note for m in entry.mappings.select_related("competency")}
    assert notes == {codes[0]: "I led the listening session.", codes[1]: ""}


def test_stale_save_writes_nothing_and_carries_the_current_text(
    write: Callable[..., Entry], member: User
) -> None:
    entry = write(body="First text")
    first = entry.version
    entry_update(entry=entry, by=member, data=EntryInput(title="T", body="Tab one"), version=first)
    with pytest.raises(StaleEntry) as caught:
        entry_update(
            entry=entry, by=member, data=EntryInput(title="T", body="Tab two"), version=first
        )
    assert caught.value.current.body == "Tab one"
    entry.refresh_from_db()
    assert entry.body == "Tab one"


def test_autosave_never_widens_who_reads(
    write: Callable[..., Entry], member: User, home: Cohort
) -> None:
    entry = write(cohort=home)
    saved = entry_update(
        entry=entry, by=member, data=EntryInput(title="T", cohort=home), version=entry.version
    )
    assert saved.visibility == Entry.Visibility.PRIVATE


def test_sharing_needs_a_cohort(write: Callable[..., Entry], member: User) -> None:
    entry = write()
    with pytest.raises(JournalError) as caught:
        entry_set_visibility(entry=entry, by=member, visibility="cohort")
    assert caught.value.field == "cohort"


def test_cannot_tie_an_entry_to_someone_elses_cohort(
    member: User, other_cohort: Cohort, write: Callable[..., Entry]
) -> None:
    with pytest.raises(JournalError) as caught:
        write(cohort=other_cohort)
    assert caught.value.field == "cohort"


def test_delete_then_restore(write: Callable[..., Entry], member: User) -> None:
    entry = write()
    entry_delete(entry=entry, by=member)
    entry.refresh_from_db()
    assert entry.deleted_at is not None
    entry_restore(entry=entry, by=member)
    entry.refresh_from_db()
    assert entry.deleted_at is None


def test_evidence_url_and_refused_target(
    write: Callable[..., Entry],
    member: User,
    make_thread: Callable[..., Any],
    home: Cohort,
    facilitator: User,
) -> None:
    entry = write()
    link = evidence_add(
        entry=entry,
        by=member,
        data=EvidenceInput(kind="url", url="https://example.org/report", annotation="Our report"),
    )
    assert link.label == "https://example.org/report"
    thread = make_thread(home, facilitator, body="The facilitator's opening")
    with pytest.raises(JournalError) as caught:
        evidence_add(
            entry=entry,
            by=member,
            data=EvidenceInput(kind="post", target=thread.posts.first().pk),
        )
    assert "you wrote" in caught.value.message
    assert Evidence.objects.filter(entry=entry).count() == 1
