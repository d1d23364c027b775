"""Journal entries in the site-wide search (journals/search.py over journals/search_index.py):
only what the searcher may read, private text only ever for its author, deleted entries
gone at once. Runs on SQLite (FTS5) under ``make test`` and on PostgreSQL (the generated
tsvector) under ``make test-services``."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.models import User
from cohorts.models import Cohort
from core.search import Query, search
from journals.models import Entry
from journals.search import KIND, only_matching
from journals.services import (
    EntryInput,
    entries_purge,
    entry_delete,
    entry_restore,
    entry_set_visibility,
    entry_update,
)

pytestmark = pytest.mark.django_db

WORD = "quixotically"


def found(user: User, text: str = WORD, **filters: Any) -> list[str]:
    """Titles of the journal entries ``user`` finds for ``text``."""
    page = search(user, Query(text=text, kind=KIND, **filters))
    titles = [str(result.title) for result in page.results]
    assert page.total == len(titles)
    return titles


def plain(titles: list[str]) -> list[str]:
    return [title.replace("<mark>", "").replace("</mark>", "") for title in titles]


def test_a_private_entry_is_found_by_its_author_only(
    write: Callable[..., Entry],
    member: User,
    member2: User,
    facilitator: User,
    other_facilitator: User,
    staff: User,
    outsider: User,
    home: Cohort,
) -> None:
    write(title="Private musing", body=f"I felt {WORD} about the partnership.", cohort=home)
    assert plain(found(member)) == ["Private musing"]
    for other in (member2, facilitator, other_facilitator, staff, outsider):
        assert found(other) == []
        # Nor by any filter, nor by another kind of the same search.
        assert search(other, Query(text=WORD)).total == 0
        assert found(other, author=member.handle) == []


def test_shared_entries_are_found_by_those_they_were_shared_with(
    write: Callable[..., Entry],
    member: User,
    member2: User,
    facilitator: User,
    other_facilitator: User,
    home: Cohort,
) -> None:
    write(title="For the cohort", body=f"A {WORD} plan", visibility="cohort")
    write(title="For the facilitators", body=f"A {WORD} worry", visibility="facilitators")
    assert sorted(plain(found(member))) == ["For the cohort", "For the facilitators"]
    assert plain(found(member2)) == ["For the cohort"]
    assert sorted(plain(found(facilitator))) == ["For the cohort", "For the facilitators"]
    assert found(other_facilitator) == []
    assert plain(found(member2, cohort=home.slug)) == ["For the cohort"]
    assert found(member2, cohort="another-cohort") == []


def test_deleting_narrowing_and_restoring_take_effect_at_once(
    write: Callable[..., Entry], member: User, member2: User
) -> None:
    entry = write(title="Shared then gone", body=f"{WORD} words", visibility="cohort")
    assert found(member2) and found(member)
    entry_set_visibility(entry=entry, by=member, visibility="private")
    assert found(member2) == [] and found(member)
    entry_set_visibility(entry=entry, by=member, visibility="cohort")
    entry_delete(entry=entry, by=member)
    assert found(member2) == [] and found(member) == []
    entry_restore(entry=entry, by=member)
    assert found(member2) and found(member)


def test_an_edit_is_searchable_at_once_and_the_old_words_are_not(
    write: Callable[..., Entry], member: User, home: Cohort
) -> None:
    entry = write(title="Draft", body="Nothing special yet", cohort=home)
    assert found(member) == []
    entry_update(
        entry=entry,
        by=member,
        data=EntryInput(title="Draft", body=f"Now {WORD} indeed", cohort=home),
        version=entry.version,
    )
    assert plain(found(member)) == ["Draft"]
    assert found(member, text="special") == []


def test_results_link_the_entry_with_a_marked_excerpt(
    write: Callable[..., Entry], member: User, member2: User, home: Cohort
) -> None:
    entry = write(
        title=f"On being {WORD}",
        body=f"First we listened. Then, {WORD}, we planned with the partners.",
        visibility="cohort",
        written_on=dt.date(2025, 3, 12),
    )
    (result,) = search(member2, Query(text=WORD, kind=KIND)).results
    assert result.url == entry.get_absolute_url()
    assert "<mark>" in result.title and "<mark>" in result.snippet
    assert result.author == "Mei Member" and result.cohort == home.title
    assert result.date is not None and timezone.localtime(result.date).date() == entry.written_on
    (mine,) = search(member, Query(text=WORD, kind=KIND)).results
    assert mine.author == "You"


def test_typed_syntax_is_plain_text(write: Callable[..., Entry], member: User) -> None:
    write(title="Quotes", body=f'She said "{WORD}" NEAR the end')
    for text in (f'"{WORD}', f"{WORD} NEAR(", f"title:{WORD}", f"{WORD}*", "^", '"'):
        search(member, Query(text=text, kind=KIND))  # never an error
    assert plain(found(member, text=f'"{WORD}"')) == ["Quotes"]


def test_the_journal_home_can_narrow_its_own_list(
    write: Callable[..., Entry], member: User
) -> None:
    write(title="One", body=f"{WORD}")
    write(title="Two", body="other words")
    mine = Entry.objects.filter(author=member)
    assert list(only_matching(mine, WORD).values_list("title", flat=True)) == ["One"]
    assert list(only_matching(mine, "   ")) == []


def test_the_search_page_shows_journal_entries(
    write: Callable[..., Entry],
    member: User,
    member_client: Client,
    signed_in: Callable[[User], Client],
    member2: User,
) -> None:
    write(title="Private page test", body=f"{WORD} private")
    write(title="Shared page test", body=f"{WORD} shared", visibility="cohort")
    mine = member_client.get("/search/", {"q": WORD}).content.decode()
    assert "Journal entries" in mine
    assert "Private page test" in mine and "Shared page test" in mine
    theirs = signed_in(member2).get("/search/", {"q": WORD, "kind": KIND}).content.decode()
    assert "Shared page test" in theirs and "Private page test" not in theirs


def test_search_costs_the_same_queries_for_3_or_30_entries(
    write: Callable[..., Entry],
    member: User,
    member2: User,
    django_assert_max_num_queries: Any,
) -> None:
    from django.test.utils import CaptureQueriesContext

    for i in range(3):
        write(title=f"Entry {i}", body=f"{WORD} {i}", visibility="cohort")

    def run() -> int:
        fresh = User.objects.get(pk=member2.pk)
        with CaptureQueriesContext(connection) as captured:
            assert search(fresh, Query(text=WORD, kind=KIND)).results
        return len(captured)

    run()
    few = run()
    for i in range(27):
        write(title=f"More {i}", body=f"{WORD} more {i}", visibility="cohort")
    fresh = User.objects.get(pk=member2.pk)
    with django_assert_max_num_queries(few):
        page = search(fresh, Query(text=WORD, kind=KIND))
    assert page.total == 30 and len(page.results) == 20


def test_purge_and_rebuild_keep_the_index_in_step(
    write: Callable[..., Entry], member: User
) -> None:
    kept = write(title="Kept", body=f"{WORD} kept")
    gone = write(title="Gone", body=f"{WORD} gone")
    entry_delete(entry=gone, by=member)
    entries_purge(now=timezone.now() + dt.timedelta(days=31))
    assert not Entry.objects.filter(pk=gone.pk).exists()
    out = io.StringIO()
    call_command("rebuild_search_index", stdout=out)
    assert "Journal search index" in out.getvalue() and "1 entries" in out.getvalue()
    assert plain(found(member)) == ["Kept"]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT rowid FROM journals_entry_fts")
            assert [row[0] for row in cursor.fetchall()] == [kept.pk]
