"""The journal's demo data (its part of ``seed_demo``): member@example.org's dozen entries
across two credential areas with evidence of every kind, two self-assessments months
apart, an answered and an open prompt, a facilitator's comment and the reply, a mix of
private and shared entries giving the coverage map strong and thin cells; a second run
adds nothing; ``--scale`` adds synthetic entries."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from cohorts.models import Attendance, Cohort, Membership
from cohorts.seed import DEMO_SLUG
from core.registry import seeders
from files.models import StoredFile
from journals import permissions
from journals.models import (
    FILE_PURPOSE,
    Comment,
    Entry,
    EntryCompetency,
    Evidence,
    Prompt,
    SelfAssessment,
    SelfRating,
)
from journals.seed import ANSWERED_PROMPT, OPEN_PROMPT, SYNTHETIC_PREFIX

pytestmark = pytest.mark.django_db

COUNTED = [
    Entry,
    EntryCompetency,
    Evidence,
    Comment,
    Prompt,
    SelfAssessment,
    SelfRating,
    StoredFile,
]


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", "--force", *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


def person(email: str) -> User:
    return User.objects.get(email=email)


def test_the_journals_seeder_runs_after_what_its_entries_cite() -> None:
    names = [s.name for s in seeders()]
    for earlier in ("cohorts", "discussions", "resources", "trainings"):
        assert names.index("journals") > names.index(earlier)


def test_demo_journal_is_realistic_and_seeding_again_adds_nothing() -> None:
    out = seed()
    assert "Demo journals: 12 entries created" in out
    member, facilitator = person("member@example.org"), person("facilitator@example.org")
    cohort = Cohort.objects.get(slug=DEMO_SLUG)
    entries = Entry.objects.filter(author=member, deleted_at__isnull=True)
    assert entries.count() == 12

    # Two credential areas; written over months, so "how recent" varies.
    areas = set(
        EntryCompetency.objects.filter(entry__in=entries).values_list(
            "competency__area__slug", flat=True
        )
    )
    assert areas == {"partnerships", "fundamentals"}
    days = sorted(entries.values_list("written_on", flat=True))
    today = timezone.localdate()
    assert (today - days[0]).days >= 120 and (today - days[-1]).days <= 7
    assert all(day <= today for day in days)
    assert len(set(days)) == 12

    # Prose rendered through the services: every body is Markdown made safe HTML.
    for entry in entries:
        assert entry.body_html.startswith("<") and "<script" not in entry.body_html
        assert entry.title in entry.search_text
        assert entry.mappings.exclude(note="").exists()
        assert entry.framing_questions.exists()

    # Evidence of every kind, each with an annotation, pointing at what Mei may see.
    evidence = Evidence.objects.filter(entry__author=member)
    assert set(evidence.values_list("kind", flat=True)) == set(Evidence.Kind.values)
    assert not evidence.filter(annotation="").exists()
    for item in evidence.select_related("post", "session", "completion", "resource", "file"):
        if item.kind == "post":
            assert item.post.author_id == member.pk and item.post.is_visible
        if item.kind == "session":
            assert Attendance.objects.filter(
                session=item.session, user=member, status="present"
            ).exists()
        if item.kind == "training":
            assert item.completion.user_id == member.pk
        if item.kind == "resource":
            from resources.permissions import can_view_resource

            assert can_view_resource(member, item.resource)
        if item.kind == "file":
            assert item.file.purpose == FILE_PURPOSE and item.file.uploaded_by_id == member.pk
            assert item.file.extraction == StoredFile.Extraction.DONE and item.file.text
    assert evidence.filter(kind="resource", resource_version__number=2).exists()
    assert {
        f.content_type.split(";")[0] for f in StoredFile.objects.filter(purpose=FILE_PURPOSE)
    } == {
        "application/pdf",
        "text/plain",
    }

    # Some private, some shared with the facilitators, one with the cohort; drafts too.
    visibility = Counter(entries.values_list("visibility", flat=True))
    assert visibility["private"] >= 5 and visibility["facilitators"] >= 3
    assert visibility["cohort"] == 1
    assert entries.filter(status="draft").exists() and entries.filter(status="final").exists()
    assert not entries.filter(cohort__isnull=True).exclude(visibility="private").exists()
    shared_with_fay = set(
        permissions.entries_visible_to(facilitator)
        .filter(author=member)
        .values_list("pk", flat=True)
    )
    assert shared_with_fay == set(
        entries.exclude(visibility="private").values_list("pk", flat=True)
    )
    co_member = person("member2@example.org")
    assert set(
        permissions.entries_visible_to(co_member)
        .filter(author=member)
        .values_list("visibility", flat=True)
    ) == {"cohort"}

    # The coverage map has strong and thin cells in the partnerships area.
    per_competency: Counter[str] = Counter()
    for code, _entry in {
        *EntryCompetency.objects.filter(entry__in=entries).values_list(
            "competency__code", "entry_id"
        ),
        *evidence.exclude(competency=None).values_list("competency__code", "entry_id"),
    }:
        per_competency[code] += 1
    partnerships = ["PAR-1", "PAR-2", "PAR-3", "PAR-4", "PAR-5"]
    strong = [c for c in partnerships if per_competency[c] >= 4]
    thin = [c for c in partnerships if per_competency[c] <= 1]
    assert len(strong) >= 2 and len(thin) >= 2, per_competency

    # The self-assessment of partnerships, taken twice months apart, with changes.
    first, second = SelfAssessment.objects.filter(user=member).order_by("taken_at")
    assert first.area.slug == second.area.slug == "partnerships"
    assert second.taken_at - first.taken_at >= dt.timedelta(days=90)
    before = dict(first.ratings.values_list("competency__code", "level"))
    after = dict(second.ratings.values_list("competency__code", "level"))
    assert set(before) == set(after) == set(partnerships)
    assert sum(before[c] != after[c] for c in partnerships) >= 2

    # One prompt answered (closed) in an entry shared with the facilitators, one open.
    answered = Prompt.objects.get(title=ANSWERED_PROMPT)
    still_open = Prompt.objects.get(title=OPEN_PROMPT)
    for prompt in (answered, still_open):
        assert prompt.cohort_id == cohort.pk and prompt.author_id == facilitator.pk
        assert prompt.session is not None and prompt.session.cohort_id == cohort.pk
    assert not answered.is_open and answered.due_on < today
    assert still_open.is_open and still_open.due_on > today
    assert permissions.can_answer_prompt(member, still_open)
    answer = entries.get(prompt=answered)
    assert answer.visibility == "facilitators"
    assert not entries.filter(prompt=still_open).exists()
    assert answered.entries.exclude(author=member).filter(visibility="facilitators").exists()

    # A facilitator's comment on it and Mei's reply, seen by both and nobody else.
    comments = list(permissions.comments_visible_to(member, answer))
    assert [c.author_id for c in comments] == [facilitator.pk, member.pk]
    assert comments[0].created_at < comments[1].created_at
    assert list(permissions.comments_visible_to(facilitator, answer)) == comments
    assert not permissions.comments_visible_to(co_member, answer).exists()
    assert Comment.objects.count() == 2

    # Seeding again adds nothing.
    before_counts = counts()
    assert "Demo journals: already there." in seed()
    assert counts() == before_counts


def test_seed_scale_adds_synthetic_entries_by_the_synthetic_members() -> None:
    out = seed("--scale", "1")
    assert "500 journal entries" in out
    synthetic = Entry.objects.filter(title__startswith=SYNTHETIC_PREFIX)
    assert synthetic.count() == 500
    assert EntryCompetency.objects.filter(entry__in=synthetic).count() == 500
    # Shared entries always have the cohort they are shared with, and their authors sit in it.
    assert not synthetic.exclude(visibility="private").filter(cohort__isnull=True).exists()
    seated = set(Membership.objects.filter(status="active").values_list("cohort_id", "user_id"))
    assert all(
        pair in seated
        for pair in synthetic.exclude(cohort=None).values_list("cohort_id", "author_id")
    )
    assert Counter(synthetic.values_list("visibility", flat=True))["private"] > 250
    seed("--scale", "1")
    assert Entry.objects.filter(title__startswith=SYNTHETIC_PREFIX).count() == 1000
    assert (
        Entry.objects.filter(title__startswith=SYNTHETIC_PREFIX).values("title").distinct().count()
        == 1000
    )
