"""The journal home: my entries (never anyone else's, never deleted ones), its filters, the
search box that goes to the site-wide search, the seams of the other parts, the header
link, and a query count that does not grow with the number of entries."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from cohorts.models import Cohort
from competencies.models import Area, Competency, FramingQuestion
from journals.models import Entry
from journals.services import entry_delete

pytestmark = pytest.mark.django_db

Write = Callable[..., Entry]


def titles(page: Any) -> list[str]:
    return re.findall(
        r'class="journal-card__title"[^>]*><a href="[^"]+">([^<]+)</a>', page.content.decode()
    )


def test_the_home_lists_only_my_entries_that_are_not_deleted(
    member_client: Client, member: User, member2: User, write: Write
) -> None:
    write(title="Mine, private")
    write(title="Mine, shared", visibility="cohort")
    write(author=member2, title="Theirs, shared with the cohort", visibility="cohort")
    gone = write(title="Mine, deleted")
    entry_delete(entry=gone, by=member)
    page = member_client.get(reverse("journals:home"))
    assert page.status_code == 200
    assert sorted(titles(page)) == ["Mine, private", "Mine, shared"]
    html = page.content.decode()
    assert 'href="/journal/entries/new/"' in html and "New entry" in html
    assert "Private: only me" in html and "Shared with the cohort" in html


def test_an_empty_journal_invites_a_first_entry(member_client: Client) -> None:
    html = member_client.get(reverse("journals:home")).content.decode()
    assert "Write your first entry" in html


def test_filters_narrow_my_entries(
    member_client: Client,
    member: User,
    write: Write,
    home: Cohort,
) -> None:
    partnerships = Area.objects.get(framework__is_default=True, slug="partnerships")
    fundamentals = Area.objects.get(framework__is_default=True, slug="fundamentals")
    partner = Competency.objects.filter(area=partnerships).order_by("order").first()
    basics = Competency.objects.filter(area=fundamentals).order_by("order").first()
    question = FramingQuestion.objects.get(framework__is_default=True, slug="experience")
    assert partner is not None and basics is not None
    write(title="Partner work", competencies=[partner.pk], framing_questions=[question.pk])
    write(title="Basics", competencies=[basics.pk], status="final")
    write(title="In the cohort", cohort=home, visibility="facilitators")
    url = reverse("journals:home")
    assert titles(member_client.get(url, {"competency": partner.code})) == ["Partner work"]
    assert titles(member_client.get(url, {"area": "fundamentals"})) == ["Basics"]
    assert titles(member_client.get(url, {"question": "experience"})) == ["Partner work"]
    assert titles(member_client.get(url, {"status": "final"})) == ["Basics"]
    assert titles(member_client.get(url, {"visibility": "facilitators"})) == ["In the cohort"]
    assert titles(member_client.get(url, {"cohort": home.slug})) == ["In the cohort"]
    both = member_client.get(url, {"area": "partnerships", "status": "final"})
    assert titles(both) == [] and "No entries match these filters" in both.content.decode()
    # Unknown values match nothing rather than failing.
    assert titles(member_client.get(url, {"competency": "NOPE-9"})) == []
    assert len(titles(member_client.get(url, {"status": "bogus"}))) == 3
    chosen = member_client.get(url, {"area": "fundamentals"}).content.decode()
    assert '<option value="fundamentals" selected>' in chosen
    assert "Clear the filters" in chosen


def test_the_search_box_goes_to_the_site_wide_search(member_client: Client) -> None:
    html = member_client.get(reverse("journals:home")).content.decode()
    form = re.search(
        r'<form method="get" action="([^"]+)" role="search"[^>]*aria-label="Search my journal"',
        html,
    )
    assert form and form.group(1) == reverse("search")
    assert 'name="q"' in html


def test_the_home_includes_the_other_parts_with_their_context(member_client: Client) -> None:
    page = member_client.get(reverse("journals:home"))
    used = {t.name for t in page.templates}
    assert {
        "journals/_coverage_summary.html",
        "journals/_open_prompts.html",
        "journals/_recent_feedback.html",
    } <= used
    for name in ("areas", "prompts", "feedback"):
        assert name in page.context


def test_the_header_links_to_the_journal_when_signed_in(
    member_client: Client, anon: Client
) -> None:
    html = member_client.get(reverse("dashboard:home")).content.decode()
    assert '<a href="/journal/">Journal</a>' in html
    mine = member_client.get(reverse("journals:home")).content.decode()
    assert '<a href="/journal/" aria-current="page">Journal</a>' in mine
    assert b'href="/journal/"' not in anon.get(reverse("cohorts:directory")).content


def test_the_home_runs_the_same_queries_for_10_60_and_1000_entries(
    member_client: Client,
    member: User,
    write: Write,
    home: Cohort,
    django_assert_max_num_queries: Any,
) -> None:
    competencies = list(Competency.objects.filter(framework__is_default=True)[:3])
    questions = list(FramingQuestion.objects.filter(framework__is_default=True)[:2])

    def add(n: int) -> None:
        for i in range(n):
            write(
                title=f"Entry {i}",
                cohort=home,
                competencies=[c.pk for c in competencies],
                notes={competencies[0].pk: "A note"},
                framing_questions=[q.pk for q in questions],
                visibility="facilitators" if i % 2 else "private",
            )

    url = reverse("journals:home")
    add(10)
    member_client.get(url)  # warm up (session, content types)
    with CaptureQueriesContext(connection) as at_ten:
        small = member_client.get(url)
    assert len(titles(small)) == 10
    add(50)
    with django_assert_max_num_queries(len(at_ten)):
        large = member_client.get(url)
    assert len(titles(large)) == 20 and "60 entries" in large.content.decode()
    assert "Page 2" in large.content.decode() or 'aria-label="Page 2"' in large.content.decode()
    # A filtered page holds to the same count.
    with django_assert_max_num_queries(len(at_ten)):
        member_client.get(url, {"competency": competencies[0].code, "visibility": "private"})
    # And at 1,000 entries (the rest made in bulk, with their mappings).
    from journals.models import Entry, EntryCompetency

    bulk = Entry.objects.bulk_create(
        Entry(author=member, title=f"Bulk {i}", body="Text", cohort=home) for i in range(940)
    )
    EntryCompetency.objects.bulk_create(
        EntryCompetency(entry=entry, competency=competencies[i % 3]) for i, entry in enumerate(bulk)
    )
    with django_assert_max_num_queries(len(at_ten)):
        thousand = member_client.get(url)
    assert "1000 entries" in thousand.content.decode().replace(",", "")


def test_recently_deleted_lists_only_my_restorable_entries(
    member_client: Client, member: User, member2: User, write: Write
) -> None:
    mine = write(title="Deleted by me")
    theirs = write(author=member2, title="Deleted by them")
    entry_delete(entry=mine, by=member)
    entry_delete(entry=theirs, by=member2)
    html = member_client.get(reverse("journals:deleted")).content.decode()
    assert "Deleted by me" in html and "Deleted by them" not in html
    assert reverse("journals:entry_restore", args=[mine.pk]) in html
