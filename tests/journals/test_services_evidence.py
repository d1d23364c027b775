"""Evidence on an entry, kind by kind: what the author may cite and what is refused (never
something they may not see, never someone else's work), uploads through the shared upload
module, the limit, and that changes to evidence leave the version guarding the entry's text
alone (an editor open in another tab saves its text without a false conflict, and the
evidence stays)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import User
from cohorts.models import Cohort, Membership, Session
from cohorts.services import attendance_record, goal_propose, membership_leave, session_create
from discussions.models import Post, Thread
from discussions.services import post_delete, post_hide
from files.models import StoredFile
from files.services import FileError
from journals import permissions
from journals.models import FILE_PURPOSE, Entry, Evidence
from journals.services import (
    EntryInput,
    EvidenceInput,
    JournalError,
    entry_update,
    evidence_add,
    evidence_move,
    evidence_remove,
    evidence_update,
)
from resources import samples
from resources.models import Resource
from resources.services import (
    ResourceInput,
    resource_add_version,
    resource_create,
    resource_delete,
    resource_set_hidden,
)
from trainings.models import Completion, Training

pytestmark = pytest.mark.django_db


# --- helpers -------------------------------------------------------------------------------


def cite(entry: Entry, by: User, kind: str, upload: Any = None, **fields: Any) -> Evidence:
    return evidence_add(
        entry=Entry.objects.get(pk=entry.pk),
        by=by,
        data=EvidenceInput(kind=kind, **fields),
        upload=upload,
    )


def refused(entry: Entry, by: User, kind: str, **fields: Any) -> JournalError:
    before = Entry.objects.get(pk=entry.pk).version
    with pytest.raises(JournalError) as caught:
        cite(entry, by, kind, **fields)
    assert not Evidence.objects.filter(entry=entry).exists()
    assert Entry.objects.get(pk=entry.pk).version == before
    return caught.value


def version_of(entry: Entry) -> int:
    return Entry.objects.get(pk=entry.pk).version


def pdf(name: str = "notes.pdf", text: str = "What our partner said") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, samples.pdf_document("Partner meeting", [text]))


def share(
    cohort: Cohort, by: User, kind: str = "link", upload: Any = None, **fields: Any
) -> Resource:
    values: dict[str, Any] = {"title": f"A shared {kind}"}
    if kind == "link":
        values["url"] = "https://example.org/guide"
    if kind == "note":
        values["body"] = "Notes from our partner meeting."
    if kind == "file" and upload is None:
        upload = pdf("guide.pdf", "First version")
    return resource_create(
        cohort=cohort, by=by, kind=kind, data=ResourceInput(**{**values, **fields}), upload=upload
    )


def held_session(cohort: Cohort, by: User, statuses: dict[int, str], days: int = -3) -> Session:
    start = (timezone.now() + dt.timedelta(days=days)).replace(second=0, microsecond=0)
    session = session_create(
        cohort=cohort,
        by=by,
        title="Story circle",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
    )
    if statuses:
        attendance_record(session=session, by=by, statuses=statuses)
    return session


@pytest.fixture
def entry(write: Callable[..., Entry]) -> Entry:
    return write(title="Evidence of reciprocity")


@pytest.fixture
def training(provider: User, reviewer: User, framework: Any) -> Training:
    from trainings import services

    org = services.provider_save(by=provider, name="Tove Institute", domains=["tove.edu"])
    made = services.training_create(
        by=provider,
        provider=org,
        runs=[(dt.date.today() - dt.timedelta(days=60), dt.date.today() - dt.timedelta(days=20))],
        competency_codes=["PAR-1"],
        title="Reciprocal partnerships in practice",
        format="course",
        description="Six weeks on partnerships that serve both sides.",
        curriculum="Week 1: listening.",
        learning_goals=["Draft a partnership agreement"],
        delivery="online",
        duration_hours="12",
        cost_amount="",
        registration_url="https://tove.edu/register",
    )
    services.training_submit(by=provider, training=made)
    services.training_review(
        reviewer=reviewer,
        training=made,
        decision="approve",
        judgements={
            "guided_instruction": ("meets", ""),
            "curriculum": ("meets", ""),
            "learning_goals": ("meets", ""),
        },
        approved_until=dt.date.today() + dt.timedelta(days=365),
    )
    return Training.objects.get(pk=made.pk)


def completed(user: User, training: Training) -> Completion:
    from trainings.services import completion_record

    return completion_record(
        user=user,
        training=training,
        completed_on=dt.date.today() - dt.timedelta(days=3),
        hours="12",
    )


# --- resources -----------------------------------------------------------------------------


def test_a_resource_of_my_cohort_and_a_specific_file_version(
    entry: Entry, member: User, member2: User, home: Cohort
) -> None:
    resource = share(home, member2, "file")
    resource_add_version(resource=resource, by=member2, upload=pdf("guide-v2.pdf", "Second"))
    first = cite(entry, member, "resource", target=resource.pk, version=1, annotation="v1 shows it")
    assert (first.resource_id, first.resource_version.number) == (resource.pk, 1)
    latest = cite(entry, member, "resource", target=str(resource.pk), competency="PAR-3")
    assert latest.resource_version is None and latest.competency.code == "PAR-3"
    error = refused_more(entry, member, "resource", target=resource.pk, version=7)
    assert error.field == "version"


def refused_more(entry: Entry, by: User, kind: str, **fields: Any) -> JournalError:
    """Like ``refused``, for an entry that already has evidence: nothing more is added."""
    count, before = Evidence.objects.filter(entry=entry).count(), version_of(entry)
    with pytest.raises(JournalError) as caught:
        cite(entry, by, kind, **fields)
    assert Evidence.objects.filter(entry=entry).count() == count
    assert version_of(entry) == before
    return caught.value


def test_a_resource_i_cannot_see_is_refused_as_if_it_did_not_exist(
    entry: Entry,
    member: User,
    member2: User,
    facilitator: User,
    home: Cohort,
    other_cohort: Cohort,
    other_facilitator: User,
) -> None:
    elsewhere = share(other_cohort, other_facilitator)
    hidden = share(home, member2, title="Hidden by the facilitator")
    resource_set_hidden(resource=hidden, by=facilitator, hidden=True)
    withdrawn = share(home, member2, title="Deleted by its contributor")
    resource_delete(resource=withdrawn, by=member2)
    for target in (elsewhere.pk, hidden.pk, withdrawn.pk, 999_999):
        error = refused(entry, member, "resource", target=target)
        assert (error.code, error.field) == ("not_found", "target")
    for target in (None, "", "abc", -4, 0):
        assert refused(entry, member, "resource", target=target).field == "target"


def test_a_resource_i_contributed_and_a_facilitator_hid_is_still_mine_to_cite(
    entry: Entry, member: User, facilitator: User, home: Cohort
) -> None:
    mine = share(home, member)
    resource_set_hidden(resource=mine, by=facilitator, hidden=True)
    assert cite(entry, member, "resource", target=mine.pk).resource_id == mine.pk


# --- posts ---------------------------------------------------------------------------------


def first_post(thread: Thread) -> Post:
    post = thread.posts.order_by("pk").first()
    assert post is not None
    return post


def test_a_post_i_wrote_is_citable_another_persons_is_not(
    entry: Entry,
    member: User,
    member2: User,
    home: Cohort,
    make_thread: Callable[..., Thread],
    make_post: Callable[..., Post],
) -> None:
    thread = make_thread(home, member2, body="What does reciprocity mean to you?")
    mine = make_post(thread, member, body="Asking our partner first.")
    assert (
        cite(entry, member, "post", target=mine.pk, annotation="Where I said it").post_id == mine.pk
    )
    error = refused_more(entry, member, "post", target=first_post(thread).pk)
    assert "you wrote" in error.message and error.code == "invalid"


def test_a_post_in_a_cohort_i_am_not_in_is_refused(
    entry: Entry,
    member: User,
    home: Cohort,
    other_thread: Thread,
    make_thread: Callable[..., Thread],
) -> None:
    assert refused(entry, member, "post", target=first_post(other_thread).pk).code == "not_found"
    # Even my own, once I have left that cohort.
    thread = make_thread(home, member, body="My own words")
    membership_leave(membership=Membership.objects.get(cohort=home, user=member))
    member = User.objects.get(pk=member.pk)
    other_entry = Entry.objects.create(author=member, title="Later")
    assert refused(other_entry, member, "post", target=first_post(thread).pk).code == "not_found"


def test_a_hidden_or_deleted_post_of_mine_is_refused(
    entry: Entry,
    member: User,
    facilitator: User,
    home: Cohort,
    make_thread: Callable[..., Thread],
    make_post: Callable[..., Post],
) -> None:
    thread = make_thread(home, facilitator)
    hidden = make_post(thread, member, body="Hidden by the facilitator")
    post_hide(post=hidden, by=facilitator)
    gone = make_post(thread, member, body="Deleted by me")
    post_delete(post=gone, by=member)
    for post in (hidden, gone):
        assert "hidden" in refused(entry, member, "post", target=post.pk).message


# --- sessions, goals, trainings ------------------------------------------------------------


def test_only_a_session_i_attended(
    entry: Entry,
    member: User,
    member2: User,
    facilitator: User,
    home: Cohort,
    other_cohort: Cohort,
    other_facilitator: User,
) -> None:
    attended = held_session(home, facilitator, {member.pk: "present", member2.pk: "present"})
    missed = held_session(home, facilitator, {member.pk: "absent"})
    excused = held_session(home, facilitator, {member.pk: "excused"})
    upcoming = held_session(home, facilitator, {}, days=5)
    theirs = held_session(other_cohort, other_facilitator, {})
    assert cite(entry, member, "session", target=attended.pk).session_id == attended.pk
    for session in (missed, excused, upcoming):
        assert "attended" in refused_more(entry, member, "session", target=session.pk).message
    assert refused_more(entry, member, "session", target=theirs.pk).code == "not_found"


def test_a_goal_of_my_cohort_but_not_of_another(
    entry: Entry,
    member: User,
    member2: User,
    home: Cohort,
    other_cohort: Cohort,
    other_facilitator: User,
) -> None:
    ours = goal_propose(cohort=home, by=member2, title="Co-write agreements")
    theirs = goal_propose(cohort=other_cohort, by=other_facilitator, title="Their goal")
    assert cite(entry, member, "goal", target=ours.pk).goal_id == ours.pk
    assert refused_more(entry, member, "goal", target=theirs.pk).code == "not_found"


def test_only_my_own_training_completion(
    entry: Entry, member: User, member2: User, training: Training
) -> None:
    theirs = completed(member2, training)
    assert refused(entry, member, "training", target=theirs.pk).code == "not_found"
    mine = completed(member, training)
    assert cite(entry, member, "training", target=mine.pk).completion_id == mine.pk


# --- links and files -----------------------------------------------------------------------


def test_a_web_link_is_labelled_by_its_address_unless_named(entry: Entry, member: User) -> None:
    plain = cite(entry, member, "url", url="  https://example.org/report  ")
    assert (plain.url, plain.label) == ("https://example.org/report", "https://example.org/report")
    named = cite(entry, member, "url", url="http://example.org/x", label="Our annual report")
    assert named.label == "Our annual report"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "file:///etc/passwd",
        "ftp://example.org/a",
        "https://",
        "example.org/no-scheme",
        "https://exa mple.org/",
        "",
        "https://example.org/" + "a" * 2000,
    ],
)
def test_bad_web_links_are_refused(entry: Entry, member: User, url: str) -> None:
    assert refused(entry, member, "url", url=url).field == "url"


def test_a_real_pdf_and_a_text_file_go_through_the_upload_module(
    entry: Entry, member: User
) -> None:
    pdf_item = cite(entry, member, "file", upload=pdf("meeting-notes.pdf"), annotation="Notes")
    assert pdf_item.label == "meeting-notes.pdf"
    stored = StoredFile.objects.get(pk=pdf_item.file_id)
    assert (stored.purpose, stored.content_type) == (FILE_PURPOSE, "application/pdf")
    assert stored.uploaded_by_id == member.pk and stored.path.exists()
    text = SimpleUploadedFile("timeline.txt", b"2020: first placements.\n")
    text_item = cite(entry, member, "file", upload=text, label="Partnership timeline")
    assert text_item.label == "Partnership timeline"
    assert text_item.file.content_type.startswith("text/plain")


def test_a_refused_upload_leaves_nothing_behind(entry: Entry, member: User, settings: Any) -> None:
    disguised = SimpleUploadedFile("report.pdf", b"just some text, not a PDF at all\n")
    with pytest.raises(FileError) as caught:
        cite(entry, member, "file", upload=disguised)
    assert caught.value.code == "unsupported_type"
    with pytest.raises(FileError) as big:
        cite(entry, member, "file", upload=SimpleUploadedFile("big.txt", b"a" * (3 * 1024 * 1024)))
    assert big.value.code == "too_large"
    with pytest.raises(FileError):
        cite(entry, member, "file", upload=SimpleUploadedFile("tool.exe", b"MZ\x90\x00"))
    assert refused(entry, member, "file").field == "file"  # no upload at all
    assert not StoredFile.objects.exists() and not Evidence.objects.exists()
    assert version_of(entry) == entry.version


def test_who_may_download_an_uploaded_evidence_file(
    write: Callable[..., Entry],
    member: User,
    member2: User,
    facilitator: User,
    other_facilitator: User,
    staff: User,
    outsider: User,
    home: Cohort,
) -> None:
    shared = write(visibility="facilitators")
    item = cite(shared, member, "file", upload=pdf())
    stored = item.file
    allowed = {
        who.email: permissions.may_download_evidence_file(who, stored)
        for who in (member, member2, facilitator, other_facilitator, staff, outsider)
    }
    assert allowed == {
        "member@example.org": True,
        "member2@example.org": False,
        "facilitator@example.org": True,
        "otherfac@example.org": False,
        "staff@example.org": False,
        "outsider@example.org": False,
    }


# --- kinds, texts, limits and who adds -----------------------------------------------------


def test_unknown_kind_competency_or_overlong_annotation_is_refused(
    entry: Entry, member: User, framework: Any
) -> None:
    assert refused(entry, member, "tweet", url="https://example.org").field == "kind"
    assert refused(entry, member, "url", url="https://example.org", competency="XYZ-1").field == (
        "competency"
    )
    error = refused(entry, member, "url", url="https://example.org", annotation="a" * 2001)
    assert error.field == "annotation"


def test_an_entry_holds_a_limited_number_of_pieces(
    entry: Entry, member: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from journals.services import evidence as module

    monkeypatch.setattr(module, "EVIDENCE_PER_ENTRY", 2)
    for n in range(2):
        cite(entry, member, "url", url=f"https://example.org/{n}")
    error = refused_more(entry, member, "url", url="https://example.org/3")
    assert "at most 2" in error.message


def test_only_the_author_adds_evidence_and_not_to_a_deleted_entry(
    write: Callable[..., Entry], member: User, member2: User, facilitator: User
) -> None:
    from journals.services import entry_delete

    entry = write(visibility="cohort")
    for other in (member2, facilitator):
        assert refused(entry, other, "url", url="https://example.org").code == "not_found"
    entry_delete(entry=entry, by=member)
    assert refused(entry, member, "url", url="https://example.org").code == "not_found"


# --- update, move, remove: the text's version stays ------------------------------------------


def test_changes_to_evidence_keep_the_texts_version_and_an_open_editor_saves(
    entry: Entry, member: User, framework: Any
) -> None:
    opened_at = version_of(entry)
    a = cite(entry, member, "url", url="https://example.org/a", label="A")
    b = cite(entry, member, "url", url="https://example.org/b", label="B")
    c = cite(entry, member, "url", url="https://example.org/c", label="C")
    updated = evidence_update(
        evidence=a, by=member, annotation="It shows PAR-3", competency="PAR-3"
    )
    assert (updated.annotation, updated.competency.code, updated.label) == (
        "It shows PAR-3",
        "PAR-3",
        "A",
    )
    evidence_move(evidence=c, by=member, offset=-1)
    assert list(entry.evidence.order_by("order").values_list("label", flat=True)) == ["A", "C", "B"]
    evidence_remove(evidence=b, by=member)
    assert list(entry.evidence.order_by("order").values_list("label", flat=True)) == ["A", "C"]
    assert version_of(entry) == opened_at
    assert Entry.objects.get(pk=entry.pk).updated_at > entry.updated_at
    # An editor opened before these changes saves its text; the evidence is untouched.
    saved = entry_update(
        entry=entry, by=member, data=EntryInput(title="Other tab"), version=opened_at
    )
    assert saved.version == opened_at + 1 and saved.title == "Other tab"
    assert list(entry.evidence.order_by("order").values_list("label", flat=True)) == ["A", "C"]


def test_moving_past_either_end_or_by_nothing_changes_nothing(entry: Entry, member: User) -> None:
    a = cite(entry, member, "url", url="https://example.org/a", label="A")
    b = cite(entry, member, "url", url="https://example.org/b", label="B")
    before = version_of(entry)
    evidence_move(evidence=a, by=member, offset=-1)
    evidence_move(evidence=b, by=member, offset=1)
    evidence_move(evidence=a, by=member, offset=0)
    assert list(entry.evidence.order_by("order").values_list("label", flat=True)) == ["A", "B"]
    assert version_of(entry) == before


def test_update_keeps_a_cited_items_own_title_and_clears_a_competency(
    entry: Entry, member: User, member2: User, home: Cohort, framework: Any
) -> None:
    resource = share(home, member2)
    item = cite(entry, member, "resource", target=resource.pk, competency="PAR-1")
    updated = evidence_update(evidence=item, by=member, annotation="Now clearer", label="Renamed")
    assert (updated.label, updated.competency) == ("", None)


def test_others_cannot_update_move_or_remove(
    write: Callable[..., Entry], member: User, member2: User, facilitator: User
) -> None:
    entry = write(visibility="cohort")
    item = cite(entry, member, "url", url="https://example.org/a")
    before = version_of(entry)
    for other in (member2, facilitator):
        with pytest.raises(JournalError):
            evidence_update(evidence=item, by=other, annotation="mine now")
        with pytest.raises(JournalError):
            evidence_move(evidence=item, by=other, offset=1)
        with pytest.raises(JournalError):
            evidence_remove(evidence=item, by=other)
    assert Evidence.objects.get(pk=item.pk).annotation == ""
    assert version_of(entry) == before


def test_removing_an_uploaded_file_deletes_the_file(
    entry: Entry, member: User, django_capture_on_commit_callbacks: Any
) -> None:
    item = cite(entry, member, "file", upload=pdf())
    path = item.file.path
    with django_capture_on_commit_callbacks(execute=True):
        evidence_remove(evidence=item, by=member)
    assert not StoredFile.objects.exists()
    assert not path.exists()


def test_evidence_that_becomes_unavailable_keeps_its_annotation(
    entry: Entry, member: User, member2: User, facilitator: User, home: Cohort
) -> None:
    resource = share(home, member2)
    item = cite(entry, member, "resource", target=resource.pk, annotation="Shows our MOU")
    resource_set_hidden(resource=resource, by=facilitator, hidden=True)
    item.refresh_from_db()
    assert (item.resource_id, item.annotation) == (resource.pk, "Shows our MOU")
