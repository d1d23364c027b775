"""Trainings in the site-wide search, on the database's full-text index: found by any
searched part (curriculum, goals, organisation, competencies), title matches first, only
what the person may open (the public never finds an unapproved or expired training), the
index changed in the same transaction as the edit, escaped excerpts, a bounded number of
queries. Run on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from core.search import Query, kinds, search
from trainings import selectors, services
from trainings.models import Training
from trainings.search import KIND, TrainingsSearch, matching_trainings
from trainings.search_index import TRAINING_FTS, uses_fts5

from .conftest import TODAY

pytestmark = pytest.mark.django_db

PUBLIC = AnonymousUser()


def titles(user: Any, text: str) -> list[str]:
    return [t.title for t in matching_trainings(user, Query(text))]


def found(user: Any, text: str) -> list[str]:
    """Titles as the search page shows them (markup taken off), best first."""
    page = search(user, Query(text, kind=KIND))
    return [str(r.title).replace("<mark>", "").replace("</mark>", "") for r in page.results]


def test_trainings_are_offered_as_a_kind_of_result() -> None:
    assert kinds()[KIND] == "Trainings"


def test_a_word_only_in_the_curriculum_finds_the_training(make_training, member) -> None:
    make_training(title="Listening sessions", curriculum="Week 3: the walrus map exercise.")
    make_training(title="Something else")
    assert found(PUBLIC, "walrus maps") == ["Listening sessions"]
    assert found(member, "exercises") == ["Listening sessions"]  # stemmed, as elsewhere
    page = search(PUBLIC, Query("walrus", kind=KIND))
    assert "the <mark>walrus</mark> map" in page.results[0].snippet


@pytest.mark.parametrize(
    "words, expected",
    [
        ("Map partners", ["Goals"]),  # a learning goal
        ("Tove Institute", ["Goals"]),  # the provider organisation's name
        ("FUN-3", ["Fundamentals"]),  # a competency's code
        ("modes of civic engagement", ["Fundamentals"]),  # ... and its title
    ],
)
def test_goals_organisation_and_competencies_are_searched(
    make_training, provider, words: str, expected: list[str]
) -> None:
    make_training(title="Goals", learning_goals=["Map partners' interests"], codes=("PAR-1",))
    elm = services.provider_save(by=provider, name="Elm Co", domains=["elm.org"])
    make_training(title="Fundamentals", learning_goals=["Reflect"], codes=("FUN-3",), org=elm)
    assert found(PUBLIC, words) == expected


def test_a_title_match_outranks_a_curriculum_match(make_training) -> None:
    make_training(title="Budgets for engagement offices", curriculum="Week 1: staffing.")
    make_training(title="Office hours", curriculum="Week 2: stipends and budgets.")
    make_training(
        title="Partnership money",
        description="How to plan budgets with partners.",
        curriculum="Week 1: intro.",
    )
    assert found(PUBLIC, "budgets") == [
        "Budgets for engagement offices",
        "Partnership money",
        "Office hours",
    ]
    ranks = [hit.rank for hit in TrainingsSearch().find(PUBLIC, Query("budgets"), limit=10)[1]]
    assert ranks == sorted(ranks, reverse=True) and ranks[0] > ranks[-1] > 0


@pytest.mark.parametrize("status", ["draft", "submitted", "changes_requested", "declined"])
def test_the_public_never_finds_an_unapproved_training(make_training, member, status: str) -> None:
    make_training(status, title="Hidden zeppelin course")
    make_training(title="Open zeppelin course")
    for person in (PUBLIC, member):
        assert found(person, "zeppelin") == ["Open zeppelin course"]
        assert TrainingsSearch().find(person, Query("zeppelin"), limit=10)[0] == 1


def test_an_expired_approval_is_never_found_by_the_public(make_training, member) -> None:
    training = make_training(title="Zeppelin course", approved_until=TODAY() + dt.timedelta(1))
    assert found(PUBLIC, "zeppelin") == ["Zeppelin course"]
    # Expiry is compared with today in the query: nothing is re-indexed when it passes.
    Training.objects.filter(pk=training.pk).update(approved_until=TODAY() - dt.timedelta(1))
    for person in (PUBLIC, member):
        assert found(person, "zeppelin") == []
        assert TrainingsSearch().find(person, Query("zeppelin"), limit=10) == (0, [])


def test_a_hit_that_expired_since_it_was_found_is_not_shown(make_training) -> None:
    training = make_training(title="Zeppelin course")
    _total, hits = TrainingsSearch().find(PUBLIC, Query("zeppelin"), limit=10)
    Training.objects.filter(pk=training.pk).update(approved_until=TODAY() - dt.timedelta(1))
    assert TrainingsSearch().results(PUBLIC, Query("zeppelin"), hits) == {}


def test_providers_and_reviewers_find_what_their_pages_show(
    make_training, provider, other_provider, other_org, reviewer, conflicted_reviewer, staff
) -> None:
    make_training("draft", title="Draft zeppelin")
    make_training("submitted", title="Submitted zeppelin")
    make_training(title="Approved zeppelin")
    every = ["Approved zeppelin", "Draft zeppelin", "Submitted zeppelin"]
    assert sorted(found(provider, "zeppelin")) == every
    assert found(other_provider, "zeppelin") == ["Approved zeppelin"]
    assert sorted(found(reviewer, "zeppelin")) == ["Approved zeppelin", "Submitted zeppelin"]
    assert found(conflicted_reviewer, "zeppelin") == ["Approved zeppelin"]
    assert sorted(found(staff, "zeppelin")) == ["Approved zeppelin", "Submitted zeppelin"]


@pytest.mark.django_db(transaction=True)
def test_a_providers_edit_is_searched_at_once_in_the_same_transaction(
    make_training, provider
) -> None:
    training = make_training("draft", title="Draft", curriculum="Week 1: walrus.")
    with transaction.atomic():
        services.training_update(by=provider, training=training, curriculum="Week 1: narwhal.")
        assert titles(provider, "narwhal") == ["Draft"]
        assert titles(provider, "walrus") == []
        transaction.set_rollback(True)
    # Rolled back with the edit: the index says what was committed.
    assert titles(provider, "walrus") == ["Draft"]
    assert titles(provider, "narwhal") == []


def test_the_boards_competency_change_and_an_organisation_rename_are_searched_at_once(
    make_training, provider, board
) -> None:
    from .conftest import JUDGE_ALL

    training = make_training("submitted", title="Zeppelin", codes=("PAR-1",))
    services.training_review(
        reviewer=board, training=training, decision="approve", judgements=JUDGE_ALL,
        approved_until=TODAY() + dt.timedelta(days=90), competency_codes=["FUN-3"],
    )  # fmt: skip
    assert found(PUBLIC, "FUN-3") == ["Zeppelin"]
    assert found(PUBLIC, "PAR-1") == []
    org = training.provider
    services.provider_save(by=provider, provider=org, name="Walrus Academy", domains=["tove.edu"])
    assert found(PUBLIC, "walrus academy") == ["Zeppelin"]
    assert found(PUBLIC, "tove") == []


def test_the_snippet_is_escaped_before_the_marks(make_training) -> None:
    make_training(
        title="Markup",
        description="Plain words.",
        curriculum='Week 1: <script>alert("x")</script> quokka & friends.',
    )
    page = search(PUBLIC, Query("quokka", kind=KIND))
    [result] = page.results
    snippet = str(result.snippet)
    assert "<mark>quokka</mark>" in snippet and "&amp; friends" in snippet
    # SQLite's snippet keeps the tag (escaped); PostgreSQL's headline leaves tags out.
    assert "<" not in snippet.replace("<mark>", "").replace("</mark>", "")
    assert "&lt;script&gt;" in snippet or connection.vendor == "postgresql"


def test_typed_search_syntax_is_plain_text(make_training) -> None:
    make_training(title="Quokka care")
    for text in ['"quokka', "quokka*", "^quokka", "quokka OR", "(quokka", "quokka)", "+quokka"]:
        assert found(PUBLIC, text) == ["Quokka care"], text
    for text in ["NEAR(quokka", "title:quokka", '"quokka care" NOT', "quokka AND"]:
        found(PUBLIC, text)  # words, never an error
    assert found(PUBLIC, "-quokka") == []
    assert found(PUBLIC, "quokka -care") == []


def test_the_catalogs_words_filter_uses_the_same_matching(make_training) -> None:
    make_training(title="Listening sessions", curriculum="Week 3: the walrus map exercise.")
    make_training(title="Other", codes=("FUN-3",))
    make_training("submitted", title="Unapproved walrus map")
    shown = selectors.catalog(selectors.CatalogFilters(q="walrus map"))
    assert [t.title for t in shown] == ["Listening sessions"]
    facets = {f.name: f for f in selectors.facets(selectors.CatalogFilters(q="walrus map"))}
    assert dict((v, n) for v, _label, n in facets["format"].values)["course"] == 1
    assert [t.title for t in selectors.catalog(selectors.CatalogFilters())] == [
        "Listening sessions",
        "Other",
    ]


def test_the_search_page_shows_trainings_with_the_other_results(
    make_training, member_client
) -> None:
    training = make_training(title="Quokka care")
    text = member_client.get(reverse("search"), {"q": "quokka"}).content.decode()
    assert training.get_absolute_url() in text and "<mark>Quokka</mark>" in text


def test_the_rebuild_command_restores_the_index(make_training) -> None:
    training = make_training(title="Quokka care", codes=("FUN-3",))
    # Lose what the services keep: the denormalised text, and on SQLite the FTS5 table.
    Training.objects.filter(pk=training.pk).update(search_text="")
    if uses_fts5():
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TRAINING_FTS}")  # noqa: S608
    assert found(PUBLIC, "FUN-3") == []
    out = io.StringIO()
    call_command("rebuild_search_index", stdout=out)
    assert "Trainings search index" in out.getvalue() and "1 trainings" in out.getvalue()
    assert found(PUBLIC, "FUN-3") == ["Quokka care"]
    assert found(PUBLIC, "quokka") == ["Quokka care"]


def test_a_deleted_training_leaves_the_index(make_training) -> None:
    training = make_training(title="Quokka care")
    training_id = training.pk
    training.delete()
    if uses_fts5():
        # Only this training's row: a transactional test earlier in the same worker
        # flushes the model tables but not the FTS5 table, which Django does not manage.
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM {TRAINING_FTS} WHERE rowid = %s",  # noqa: S608
                [training_id],
            )
            assert cursor.fetchone()[0] == 0
    assert found(PUBLIC, "quokka") == []


def _queries(user: Any) -> int:
    if user.is_authenticated:
        user = User.objects.get(pk=user.pk)  # nothing cached from the last search
    with CaptureQueriesContext(connection) as ctx:
        page = search(user, Query("quokka", kind=KIND))
    assert page.results
    return len(ctx.captured_queries)


def test_search_takes_the_same_queries_for_few_and_many_trainings(
    make_training: Callable[..., Training], provider: User
) -> None:
    for n in range(2):
        make_training(title=f"Quokka care {n}")
    few_public, few_provider = _queries(PUBLIC), _queries(provider)
    for n in range(2, 25):
        make_training(title=f"Quokka care {n}", curriculum="More quokka.")
    assert _queries(PUBLIC) == few_public
    assert _queries(provider) == few_provider
