"""Purging deleted entries (``manage.py purge_journal_entries``, a daily cron job): only
entries deleted more than 30 days ago go for good, with what hangs on them (mappings,
evidence, comments and the files uploaded as evidence); recent deletions stay restorable."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from files.models import StoredFile
from journals.models import RESTORE_DAYS, Comment, Entry, EntryCompetency, Evidence
from journals.services import (
    EvidenceInput,
    comment_create,
    entries_purge,
    entry_delete,
    entry_restore,
    evidence_add,
)
from resources import samples

pytestmark = pytest.mark.django_db


def deleted(entry: Entry, by: User, *, days_ago: float) -> Entry:
    entry_delete(entry=entry, by=by)
    Entry.objects.filter(pk=entry.pk).update(
        deleted_at=timezone.now() - dt.timedelta(days=days_ago)
    )
    return Entry.objects.get(pk=entry.pk)


def with_file(entry: Entry, by: User, name: str = "notes.pdf") -> Evidence:
    upload = SimpleUploadedFile(name, samples.pdf_document("Notes", ["From our partner meeting."]))
    return evidence_add(entry=entry, by=by, data=EvidenceInput(kind="file"), upload=upload)


def test_only_entries_deleted_more_than_thirty_days_ago_are_purged(
    write: Callable[..., Entry],
    member: User,
    facilitator: User,
    framework: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    old = write(title="Old", visibility="facilitators", competencies=["PAR-1"])
    item = with_file(old, member)
    comment_create(entry=old, by=facilitator, body="Thank you")
    path = item.file.path
    old = deleted(old, member, days_ago=RESTORE_DAYS + 0.01)
    recent = deleted(write(title="Recent"), member, days_ago=RESTORE_DAYS - 0.01)
    kept = write(title="Kept")

    with django_capture_on_commit_callbacks(execute=True):
        assert entries_purge() == 1

    assert set(Entry.objects.values_list("title", flat=True)) == {"Recent", "Kept"}
    assert not EntryCompetency.objects.filter(entry_id=old.pk).exists()
    assert not Evidence.objects.exists() and not Comment.objects.exists()
    assert not StoredFile.objects.exists() and not path.exists()
    # The recent one is still restorable by its author.
    assert entry_restore(entry=recent, by=member).deleted_at is None
    assert Entry.objects.get(pk=kept.pk).deleted_at is None
    assert entries_purge() == 0


def test_purge_takes_the_time_it_is_given(write: Callable[..., Entry], member: User) -> None:
    entry = deleted(write(), member, days_ago=1)
    assert entries_purge() == 0
    assert entries_purge(now=timezone.now() + dt.timedelta(days=RESTORE_DAYS)) == 1
    assert not Entry.objects.filter(pk=entry.pk).exists()


def test_a_file_another_entry_still_cites_is_kept(
    write: Callable[..., Entry], member: User
) -> None:
    gone = write(title="Gone")
    item = with_file(gone, member)
    other = write(title="Other")
    Evidence.objects.create(entry=other, kind="file", file=item.file, label="Shared copy")
    deleted(gone, member, days_ago=RESTORE_DAYS + 1)
    assert entries_purge() == 1
    assert StoredFile.objects.filter(pk=item.file_id).exists()


def test_the_command_reports_what_it_purged(write: Callable[..., Entry], member: User) -> None:
    deleted(write(title="One"), member, days_ago=RESTORE_DAYS + 2)
    deleted(write(title="Two"), member, days_ago=RESTORE_DAYS + 40)
    deleted(write(title="Three"), member, days_ago=2)
    out = io.StringIO()
    call_command("purge_journal_entries", stdout=out)
    assert out.getvalue().strip() == "Purged 2 journal entries."
    assert list(Entry.objects.values_list("title", flat=True)) == ["Three"]
    Entry.objects.filter(title="Three").update(
        deleted_at=timezone.now() - dt.timedelta(days=RESTORE_DAYS + 1)
    )
    out = io.StringIO()
    call_command("purge_journal_entries", stdout=out)
    assert out.getvalue().strip() == "Purged 1 journal entry."
    out = io.StringIO()
    call_command("purge_journal_entries", stdout=out)
    assert out.getvalue().strip() == "Purged 0 journal entries."
