"""How an entry's evidence shows to each reader (journals.selectors.evidence): every kind
resolved for the viewer, never a title of what a reader may not see, gone items kept with
their annotation, a fixed number of queries, and what each picker offers.

The fixtures here (``world``, ``cite``) are imported by the other evidence test modules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import User
from cohorts.models import Attendance, Cohort
from cohorts.services import attendance_record, goal_propose, session_create
from discussions.services import post_delete, post_hide
from journals.models import Entry, Evidence
from journals.selectors.evidence import (
    CANNOT_SEE,
    GONE,
    EvidenceRef,
    evidence_for,
    evidence_targets,
    parse_ref,
)
from journals.services import EvidenceInput, evidence_add
from resources.services import ResourceInput, resource_create, resource_delete
from tests.files.conftest import pdf_bytes
from tests.trainings import conftest as trainings_fixtures
from trainings.services import completion_delete, completion_record

pytestmark = pytest.mark.django_db

# The trainings tests' fixtures: an approved training needs a provider and a board.
org = trainings_fixtures.org
board = trainings_fixtures.board
make_training = trainings_fixtures.make_training

Kind = Evidence.Kind


def _past_session(cohort: Cohort, by: User, title: str, days: int = -3) -> Any:
    start = (timezone.now() + dt.timedelta(days=days)).replace(second=0, microsecond=0)
    return session_create(
        cohort=cohort, by=by, title=title, starts_at=start, ends_at=start + dt.timedelta(hours=1)
    )


@pytest.fixture
def world(
    home: Cohort,
    other_cohort: Cohort,
    member: User,
    member2: User,
    facilitator: User,
    other_facilitator: User,
    seat: Callable[..., Any],
    make_thread: Callable[..., Any],
    make_post: Callable[..., Any],
    make_training: Callable[..., Any],
) -> SimpleNamespace:
    """``member`` belongs to ``home`` (with member2) and to ``other_cohort`` (member2 does
    not): things of each kind in both, all citable by ``member``."""
    seat(other_cohort, member)
    w = SimpleNamespace(home=home, other=other_cohort)
    w.resource = resource_create(
        cohort=home,
        by=member2,
        kind="link",
        data=ResourceInput(title="Partnership agreement template", url="https://example.org/a"),
    )
    w.file_resource = resource_create(
        cohort=home,
        by=member,
        kind="file",
        data=ResourceInput(title="Listening guide"),
        upload=SimpleUploadedFile("guide.pdf", pdf_bytes("Listening guide")),
    )
    w.secret_resource = resource_create(
        cohort=other_cohort,
        by=member,
        kind="link",
        data=ResourceInput(title="Secret circle notes", url="https://example.org/secret"),
    )
    thread = make_thread(home, facilitator, title="Week one", body="Opening words.")
    w.post = make_post(thread, member, body="We asked the partners what they needed first.")
    other_thread = make_thread(other_cohort, other_facilitator, title="Closed circle")
    w.secret_post = make_post(other_thread, member, body="Confidential circle reflections")
    w.session = _past_session(home, facilitator, "Listening session")
    w.secret_session = _past_session(other_cohort, other_facilitator, "Secret circle meeting")
    attendance_record(session=w.session, by=facilitator, statuses={member.pk: "present"})
    attendance_record(
        session=w.secret_session, by=other_facilitator, statuses={member.pk: "present"}
    )
    w.goal = goal_propose(cohort=home, by=member, title="Co-design with partners")
    w.secret_goal = goal_propose(cohort=other_cohort, by=member, title="Secret circle goal")
    training = make_training("approved", title="Reciprocity course")
    w.completion = completion_record(
        user=member, training=training, completed_on=dt.date(2024, 5, 3), hours="6"
    )
    return w


@pytest.fixture
def cite(member: User) -> Callable[..., Evidence]:
    """``cite(entry, kind, target=..., annotation=..., **fields)`` through the service."""

    def add(entry: Entry, kind: str, upload: Any = None, **fields: Any) -> Evidence:
        return evidence_add(
            entry=entry, by=member, data=EvidenceInput(kind=kind, **fields), upload=upload
        )

    return add


@pytest.fixture
def shared_entry(write: Callable[..., Entry], home: Cohort) -> Entry:
    return write(title="Listening first", visibility="cohort", cohort=home)


def _cite_everything(
    entry: Entry, w: SimpleNamespace, cite: Callable[..., Evidence]
) -> dict[str, Evidence]:
    return {
        "resource": cite(entry, "resource", target=w.resource.pk, annotation="A template"),
        "version": cite(
            entry, "resource", target=w.file_resource.pk, version=1, annotation="Version one"
        ),
        "post": cite(entry, "post", target=w.post.pk, annotation="My question"),
        "session": cite(entry, "session", target=w.session.pk, annotation="I listened"),
        "goal": cite(entry, "goal", target=w.goal.pk, annotation="Our goal"),
        "training": cite(entry, "training", target=w.completion.pk, annotation="Course"),
        "url": cite(entry, "url", url="https://example.org/report", label="Our report"),
        "file": cite(
            entry,
            "file",
            upload=SimpleUploadedFile("notes.pdf", pdf_bytes("Field notes")),
            annotation="Field notes",
        ),
    }


def test_the_author_sees_every_kind_with_its_details(
    world: SimpleNamespace, shared_entry: Entry, cite: Callable[..., Evidence], member: User
) -> None:
    items = _cite_everything(shared_entry, world, cite)
    shown = {view.id: view for view in evidence_for(member, shared_entry)}
    assert all(view.available for view in shown.values())

    resource = shown[items["resource"].pk]
    assert resource.title == "Partnership agreement template"
    assert resource.url == world.resource.get_absolute_url()
    assert "shared by Mateo Member" in resource.detail
    version = shown[items["version"].pk]
    assert version.detail.endswith("version 1")
    assert version.url.endswith("/versions/1/")
    post = shown[items["post"].pk]
    assert post.title.startswith("We asked the partners")
    assert post.url.endswith(f"#post-{world.post.pk}")
    assert shown[items["session"].pk].title == "Listening session"
    assert shown[items["session"].pk].detail.startswith("attended ")
    assert shown[items["goal"].pk].title == "Co-design with partners"
    training = shown[items["training"].pk]
    assert training.title == "Reciprocity course"
    assert training.detail == "completed 3 May 2024, 6 h"
    link = shown[items["url"].pk]
    assert (link.title, link.url, link.detail, link.external) == (
        "Our report",
        "https://example.org/report",
        "example.org",
        True,
    )
    upload = shown[items["file"].pk]
    assert upload.title == "notes.pdf" and upload.download
    assert upload.url.startswith("/files/")
    assert upload.annotation == "Field notes"
    assert [view.order for view in shown.values()] == sorted(v.order for v in shown.values())


def test_a_co_member_never_sees_what_only_the_author_may_see(
    world: SimpleNamespace,
    shared_entry: Entry,
    cite: Callable[..., Evidence],
    member: User,
    member2: User,
) -> None:
    secret = [
        cite(shared_entry, "resource", target=world.secret_resource.pk, annotation="Notes A"),
        cite(shared_entry, "post", target=world.secret_post.pk, annotation="Notes B"),
        cite(shared_entry, "session", target=world.secret_session.pk, annotation="Notes C"),
        cite(shared_entry, "goal", target=world.secret_goal.pk, annotation="Notes D"),
    ]
    fine = cite(shared_entry, "post", target=world.post.pk, annotation="Visible to both")
    as_author = {view.id: view for view in evidence_for(member, shared_entry)}
    assert all(as_author[item.pk].available for item in secret)

    as_reader = {view.id: view for view in evidence_for(member2, shared_entry)}
    assert as_reader[fine.pk].available
    for item in secret:
        view = as_reader[item.pk]
        assert not view.available and view.reason == "cannot_see"
        assert view.url == "" and view.detail == ""
        assert view.title == CANNOT_SEE[Kind(item.kind)]
        assert view.annotation == item.annotation
    titles = " ".join(view.title + view.detail for view in as_reader.values())
    assert "Secret" not in titles and "Confidential" not in titles


def test_what_was_withdrawn_shows_as_no_longer_available_with_its_annotation(
    world: SimpleNamespace,
    shared_entry: Entry,
    cite: Callable[..., Evidence],
    member: User,
    member2: User,
    facilitator: User,
) -> None:
    resource = cite(shared_entry, "resource", target=world.resource.pk, annotation="Kept A")
    post = cite(shared_entry, "post", target=world.post.pk, annotation="Kept B")
    training = cite(shared_entry, "training", target=world.completion.pk, annotation="Kept C")
    resource_delete(resource=world.resource, by=member2)
    post_hide(post=world.post, by=facilitator)
    completion_delete(user=member, completion=world.completion)
    for viewer in (member, member2, facilitator):
        shown = {view.id: view for view in evidence_for(viewer, shared_entry)}
        for item, kind in ((resource, Kind.RESOURCE), (post, Kind.POST), (training, None)):
            view = shown[item.pk]
            assert not view.available and view.reason == "gone"
            assert view.title == GONE[kind or Kind.TRAINING]
            assert view.annotation == item.annotation


def test_a_deleted_post_is_gone_for_its_own_author_too(
    world: SimpleNamespace, shared_entry: Entry, cite: Callable[..., Evidence], member: User
) -> None:
    item = cite(shared_entry, "post", target=world.post.pk, annotation="Still mine")
    post_delete(post=world.post, by=member)
    (view,) = evidence_for(member, shared_entry)
    assert view.id == item.pk and view.title == GONE[Kind.POST]


def test_nobody_but_its_readers_gets_anything(
    world: SimpleNamespace,
    write: Callable[..., Entry],
    cite: Callable[..., Evidence],
    member: User,
    member2: User,
    facilitator: User,
    outsider: User,
) -> None:
    entry = write(title="Private one")
    cite(entry, "post", target=world.post.pk, annotation="Private")
    assert len(evidence_for(member, entry)) == 1
    for viewer in (member2, facilitator, outsider):
        assert evidence_for(viewer, entry) == []


def test_resolving_costs_the_same_queries_for_2_or_40_items(
    world: SimpleNamespace,
    write: Callable[..., Entry],
    cite: Callable[..., Evidence],
    member2: User,
    home: Cohort,
    django_assert_num_queries: Any,
    django_assert_max_num_queries: Any,
) -> None:
    def fill(entry: Entry, rounds: int) -> Entry:
        for _ in range(rounds):
            cite(entry, "resource", target=world.resource.pk)
            cite(entry, "post", target=world.post.pk)
            cite(entry, "session", target=world.session.pk)
            cite(entry, "goal", target=world.goal.pk)
            cite(entry, "training", target=world.completion.pk)
            cite(entry, "resource", target=world.secret_resource.pk)
            cite(entry, "post", target=world.secret_post.pk)
            cite(entry, "url", url="https://example.org/x")
        return Entry.objects.get(pk=entry.pk)

    def reader() -> User:
        return User.objects.get(pk=member2.pk)  # nothing cached on the person

    two = write(title="Two", visibility="cohort", cohort=home)
    cite(two, "post", target=world.post.pk)
    cite(two, "resource", target=world.resource.pk)
    every_kind = fill(write(title="Eight", visibility="cohort", cohort=home), 1)
    forty = fill(write(title="Forty", visibility="cohort", cohort=home), 5)
    assert forty.evidence.count() == 40

    # The reader's cohorts and roles, the evidence, then one query per kind of target
    # present (resources, threads, cohorts of sessions and goals, trainings).
    evidence_for(reader(), two)  # warm the process-wide caches (content types)
    fresh = reader()
    with django_assert_max_num_queries(9) as captured:
        assert len(evidence_for(fresh, every_kind)) == 8
    baseline = len(captured)
    fresh = reader()
    with django_assert_num_queries(baseline):
        views = evidence_for(fresh, forty)
    assert len(views) == 40 and sum(not v.available for v in views) == 10
    fresh = reader()
    with django_assert_max_num_queries(baseline):
        assert len(evidence_for(fresh, Entry.objects.get(pk=two.pk))) == 2


# --- references and pickers ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("resource:12", EvidenceRef("resource", 12)),
        ("resource:12:3", EvidenceRef("resource", 12, 3)),
        ("post:40", EvidenceRef("post", 40)),
        ("training:7", EvidenceRef("training", 7)),
        ("post:40:2", None),
        ("url:1", None),
        ("file:1", None),
        ("resource:0", None),
        ("resource:-1", None),
        ("resource:abc", None),
        ("resource", None),
        ("", None),
        (None, None),
        ("session:1:2:3", None),
    ],
)
def test_parse_ref(raw: Any, expected: EvidenceRef | None) -> None:
    assert parse_ref(raw) == expected
    if expected is not None:
        assert str(expected) == raw


def test_pickers_offer_only_what_the_person_may_cite(
    world: SimpleNamespace,
    member: User,
    member2: User,
    facilitator: User,
    home: Cohort,
    make_post: Callable[..., Any],
) -> None:
    own_posts = {t.value for t in evidence_targets(member, Kind.POST)}
    assert own_posts == {world.post.pk, world.secret_post.pk}
    post_delete(post=world.post, by=member)
    assert {t.value for t in evidence_targets(member, Kind.POST)} == {world.secret_post.pk}
    assert evidence_targets(member2, Kind.POST) == []

    sessions = {t.value for t in evidence_targets(member, Kind.SESSION)}
    assert sessions == {world.session.pk, world.secret_session.pk}
    absent = _past_session(home, facilitator, "Missed it", days=-1)
    attendance_record(session=absent, by=facilitator, statuses={member.pk: "absent"})
    assert absent.pk not in {t.value for t in evidence_targets(member, Kind.SESSION)}
    assert Attendance.objects.filter(session=absent).exists()
    assert evidence_targets(member2, Kind.SESSION) == []

    assert {t.value for t in evidence_targets(member2, Kind.GOAL)} == {world.goal.pk}
    assert [t.value for t in evidence_targets(member, Kind.TRAINING)] == [world.completion.pk]
    assert evidence_targets(member2, Kind.TRAINING) == []

    mine = {t.value for t in evidence_targets(member2, Kind.RESOURCE)}
    assert world.resource.pk in mine and world.secret_resource.pk not in mine
    found = evidence_targets(member, Kind.RESOURCE, query="secret circle")
    assert [t.value for t in found] == [world.secret_resource.pk]
    assert evidence_targets(member2, Kind.RESOURCE, query="secret") == []
    assert evidence_targets(member, Kind.URL) == []
