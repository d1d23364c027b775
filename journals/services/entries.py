"""Writing entries: create, save (and autosave) with a version check, share or narrow,
delete and restore."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from cohorts.models import Cohort, LearningGoal, Session
from core.markdown import plain_text, render_markdown
from core.text import clean_input
from journals import events, permissions
from journals.models import COMPETENCIES_PER_ENTRY, RESTORE_DAYS, Entry, EntryCompetency, Prompt
from journals.services.common import (
    JournalError,
    competencies_from,
    field_error,
    framing_questions_from,
)

Visibility = Entry.Visibility


class StaleEntry(JournalError):
    """An edit based on an older version: nothing was written. ``current`` is the entry as
    it is now, so the person can compare both texts and merge."""

    def __init__(self, current: Entry) -> None:
        super().__init__(
            "This entry was changed elsewhere (another tab or device) since you opened it. "
            "Nothing was overwritten: your text and the saved one are shown side by side; "
            "merge them and save again.",
            code="stale",
        )
        self.current = current


@dataclass
class EntryInput:
    """What the author writes. ``competencies`` are objects, ids or codes; ``notes`` says,
    per competency (id or code), how the entry shows it."""

    title: str
    body: str = ""
    written_on: date | None = None
    cohort: Cohort | None = None
    session: Session | None = None
    goal: LearningGoal | None = None
    prompt: Prompt | None = None
    competencies: Sequence[Any] = ()
    notes: Mapping[Any, str] = field(default_factory=dict)
    framing_questions: Sequence[Any] = ()
    status: str = Entry.Status.DRAFT


def _ties(author: User, data: EntryInput, current: Entry | None = None) -> dict[str, Any]:
    """The cohort, session, goal and prompt, checked against what the author belongs to.
    A session, goal or prompt brings its cohort; they must all agree. Saving an existing
    entry keeps the ties it already has even if the author has since left that cohort, so
    their own entry stays editable (its readers do not change)."""
    member = permissions.member_cohort_ids(author)

    def allowed(tie: Any, name: str) -> bool:
        if current is not None and getattr(current, f"{name}_id") == tie.pk:
            return True
        return (tie.pk if name == "cohort" else tie.cohort_id) in member

    cohort = data.cohort
    for tie, name in ((data.session, "session"), (data.goal, "goal"), (data.prompt, "prompt")):
        if tie is None:
            continue
        if not allowed(tie, name):
            raise JournalError(f"Choose a {name} of a cohort you belong to.", field=name)
        if cohort is not None and cohort.pk != tie.cohort_id:
            raise JournalError(
                f"The {name} is from another cohort than the one chosen.", field=name
            )
        cohort = tie.cohort
    if cohort is not None and not allowed(cohort, "cohort"):
        raise JournalError("Choose a cohort you belong to.", field="cohort")
    return {"cohort": cohort, "session": data.session, "goal": data.goal, "prompt": data.prompt}


def _values(data: EntryInput) -> dict[str, Any]:
    values = clean_input(
        Entry, {"title": (data.title or "").strip(), "body": data.body or ""}, error=field_error
    )
    if not values["title"]:
        raise JournalError("Give the entry a title.", code="blank", field="title")
    if data.status not in Entry.Status.values:
        raise JournalError("An entry is a draft or final.", field="status")
    values["status"] = data.status
    values["written_on"] = data.written_on or timezone.localdate()
    return values


def _mappings(data: EntryInput) -> list[tuple[Any, str]]:
    competencies = competencies_from(data.competencies)
    if len(competencies) > COMPETENCIES_PER_ENTRY:
        raise JournalError(
            f"Map an entry to at most {COMPETENCIES_PER_ENTRY} competencies.",
            field="competencies",
        )
    out = []
    for competency in competencies:
        note = data.notes.get(competency.pk) or data.notes.get(str(competency.pk))
        note = note or data.notes.get(competency.code) or ""
        cleaned = clean_input(EntryCompetency, {"note": note.strip()}, error=field_error)
        out.append((competency, cleaned["note"]))
    return out


def _search_text(entry: Entry, mappings: Sequence[tuple[Any, str]]) -> str:
    notes = " ".join(note for _, note in mappings if note)
    # The words as a reader sees them (from the rendered body, not its Markdown source).
    return " ".join(part for part in (entry.title, plain_text(entry.body_html), notes) if part)


def _write_relations(
    entry: Entry, mappings: Sequence[tuple[Any, str]], questions: list[Any]
) -> None:
    EntryCompetency.objects.filter(entry=entry).exclude(
        competency__in=[c for c, _ in mappings]
    ).delete()
    existing = {m.competency_id: m for m in EntryCompetency.objects.filter(entry=entry)}
    new = []
    for competency, note in mappings:
        mapping = existing.get(competency.pk)
        if mapping is None:
            new.append(EntryCompetency(entry=entry, competency=competency, note=note))
        elif mapping.note != note:
            mapping.note = note
            mapping.save(update_fields=["note"])
    EntryCompetency.objects.bulk_create(new)
    entry.framing_questions.set(questions)


def _check_visibility(visibility: str, cohort: Cohort | None) -> None:
    if visibility not in Visibility.values:
        raise JournalError("Choose who may read it.", field="visibility")
    if visibility != Visibility.PRIVATE and cohort is None:
        raise JournalError(
            "Choose the cohort to share it with: an entry is shared with a cohort's "
            "facilitators or members.",
            field="cohort",
        )


def _reindex(entry: Entry) -> None:
    from journals.search_index import index_entry

    index_entry(entry)


@transaction.atomic
def entry_create(*, author: User, data: EntryInput, visibility: str = Visibility.PRIVATE) -> Entry:
    """A new entry, private unless the author explicitly chose to share it."""
    values = _values(data)
    ties = _ties(author, data)
    _check_visibility(visibility, ties["cohort"])
    mappings = _mappings(data)
    questions = framing_questions_from(data.framing_questions)
    entry = Entry(author=author, visibility=visibility, **values, **ties)
    entry.body_html = render_markdown(entry.body)
    entry.search_text = _search_text(entry, mappings)
    entry.save()
    _write_relations(entry, mappings, questions)
    _reindex(entry)
    return entry


@transaction.atomic
def entry_update(
    *,
    entry: Entry,
    by: User,
    data: EntryInput,
    version: int | None,
    visibility: str | None = None,
) -> Entry:
    """Save the author's edit (a form submit or an autosave). ``version`` is the one the
    edit was based on: if the entry changed since, nothing is written and
    :class:`StaleEntry` carries the current entry. ``visibility`` None keeps it as it is
    (autosave never widens who reads an entry)."""
    locked = Entry.objects.select_for_update().filter(pk=entry.pk).first()
    if locked is None or not permissions.can_edit_entry(by, locked):
        raise JournalError("Only its author edits an entry.", code="not_found")
    if version is not None and version != locked.version:
        raise StaleEntry(locked)
    values = _values(data)
    ties = _ties(by, data, current=locked)
    new_visibility = locked.visibility if visibility is None else visibility
    moved = ties["cohort"] is None or ties["cohort"].pk != locked.cohort_id
    if moved and visibility is None:
        # Untied from its cohort, or tied to another one: nobody else reads it now (it
        # is never shared with a new cohort without the author saying so).
        new_visibility = Visibility.PRIVATE
    _check_visibility(new_visibility, ties["cohort"])
    mappings = _mappings(data)
    questions = framing_questions_from(data.framing_questions)
    narrowed = _narrows(locked, new_visibility, ties["cohort"])
    for name, value in {**values, **ties}.items():
        setattr(locked, name, value)
    locked.visibility = new_visibility
    locked.body_html = render_markdown(locked.body)
    locked.search_text = _search_text(locked, mappings)
    locked.version += 1
    locked.updated_at = timezone.now()
    locked.save()
    _write_relations(locked, mappings, questions)
    _reindex(locked)
    if narrowed:
        events.access_narrowed(locked)
    return locked


def _narrows(entry: Entry, visibility: str, cohort: Cohort | None) -> bool:
    """Whether some reader of the entry as it is loses it with the change."""
    if entry.visibility == Visibility.PRIVATE:
        return False
    if cohort is None or cohort.pk != entry.cohort_id:
        return True
    order = [Visibility.PRIVATE, Visibility.FACILITATORS, Visibility.COHORT]
    return order.index(Visibility(visibility)) < order.index(Visibility(entry.visibility))


@transaction.atomic
def entry_set_visibility(*, entry: Entry, by: User, visibility: str) -> Entry:
    """The author's explicit choice of who reads the entry. Narrowing takes effect at once:
    open pages and sockets of those who lose it are told."""
    # Lock the entry row only: its cohort is a nullable join, which PostgreSQL cannot lock.
    locked = (
        Entry.objects.select_for_update(of=("self",))
        .select_related("cohort")
        .filter(pk=entry.pk)
        .first()
    )
    if locked is None or not permissions.can_edit_entry(by, locked):
        raise JournalError("Only its author shares an entry.", code="not_found")
    _check_visibility(visibility, locked.cohort)
    if visibility == locked.visibility:
        return locked
    narrowed = _narrows(locked, visibility, locked.cohort)
    locked.visibility = visibility
    locked.version += 1
    locked.updated_at = timezone.now()
    locked.save(update_fields=["visibility", "version", "updated_at"])
    if narrowed:
        events.access_narrowed(locked)
    else:
        events.shared(locked)
    return locked


@transaction.atomic
def entry_delete(*, entry: Entry, by: User) -> Entry:
    """Soft delete: gone for every reader at once; the author can restore it for 30 days."""
    locked = Entry.objects.select_for_update().filter(pk=entry.pk).first()
    if locked is None or not permissions.can_edit_entry(by, locked):
        raise JournalError("Only its author deletes an entry.", code="not_found")
    locked.deleted_at = timezone.now()
    locked.save(update_fields=["deleted_at"])
    _reindex(locked)
    if locked.is_shared:
        events.access_narrowed(locked)
    return locked


@transaction.atomic
def entry_restore(*, entry: Entry, by: User) -> Entry:
    locked = Entry.objects.select_for_update().filter(pk=entry.pk).first()
    if locked is None or not permissions.can_restore_entry(by, locked):
        raise JournalError("This entry can no longer be restored.", code="not_found")
    locked.deleted_at = None
    locked.version += 1
    locked.updated_at = timezone.now()
    locked.save(update_fields=["deleted_at", "version", "updated_at"])
    _reindex(locked)
    return locked


def entries_purge(*, now: Any = None) -> int:
    """Delete for good the entries deleted more than 30 days ago (a daily job), with the
    files uploaded as their evidence that no other entry cites."""
    cutoff = (now or timezone.now()) - timedelta(days=RESTORE_DAYS)
    from files.models import StoredFile
    from files.services import file_delete
    from journals.models import Evidence
    from journals.search_index import remove_entries

    ids = list(Entry.objects.filter(deleted_at__lt=cutoff).values_list("pk", flat=True))
    if not ids:
        return 0
    with transaction.atomic():
        cited = set(
            Evidence.objects.filter(entry_id__in=ids, file__isnull=False).values_list(
                "file_id", flat=True
            )
        )
        remove_entries(ids)
        Entry.objects.filter(pk__in=ids).delete()
        still_cited = set(
            Evidence.objects.filter(file_id__in=cited).values_list("file_id", flat=True)
        )
        for stored in StoredFile.objects.filter(pk__in=cited - still_cited):
            file_delete(stored)
    return len(ids)
