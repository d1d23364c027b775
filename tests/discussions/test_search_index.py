"""Site-wide search on the database's own index: a ranked search (best answer first), the
index kept in step by the services, permissions as on the pages, any query answered, a
fixed number of queries per page. SQLite here; PostgreSQL under ``make test-services``."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core.search import Query
from discussions.search import fts_match, matching_posts
from discussions.services import (
    post_create,
    post_delete,
    post_edit,
    post_hide,
    post_restore,
    thread_create,
)

pytestmark = pytest.mark.django_db


def page_of(user, q: str, **params: str) -> str:
    client = Client()
    client.force_login(user)
    response = client.get("/search/", {"q": q, **params})
    assert response.status_code == 200
    return response.content.decode()


def result_links(html: str) -> list[str]:
    return re.findall(r'<li class="search-result">\s*<p><a href="([^"]+)"', html)


@pytest.fixture
def garden(cohort, member, peer):
    thread = thread_create(
        cohort=cohort,
        author=peer,
        title="The community garden",
        body="We grow beans. The community garden needs water; the community garden thrives.",
    )
    best = thread.posts.get()
    once, _ = post_create(
        thread=thread, author=member, body="I visited a community garden once, long ago."
    )
    apart, _ = post_create(
        thread=thread,
        author=member,
        body="Our garden is small and the community is large, over many long days of sun.",
    )
    post_create(thread=thread, author=member, body="Nothing about it here.")
    return {"thread": thread, "best": best, "once": once, "apart": apart}


def test_the_post_with_the_phrase_twice_ranks_first(member, garden) -> None:
    found = list(matching_posts(member, Query('"community garden"')))
    assert found == [garden["best"], garden["once"]]
    words = list(matching_posts(member, Query("community garden")))
    assert words[0] == garden["best"] and set(words) == {
        garden["best"],
        garden["once"],
        garden["apart"],
    }


def test_the_search_page_lists_posts_best_first(member, garden) -> None:
    html = page_of(member, '"community garden"', kind="discussions.post")
    thread_url = garden["thread"].get_absolute_url()
    assert result_links(html) == [
        f"{thread_url}#post-{garden['best'].pk}",
        f"{thread_url}#post-{garden['once'].pk}",
    ]
    assert "<mark>community</mark>" in html or "<mark>community garden</mark>" in html


def test_the_search_page_finds_thread_titles(member, garden) -> None:
    html = page_of(member, "garden", kind="discussions.thread")
    assert result_links(html) == [garden["thread"].get_absolute_url()]
    assert "<mark>garden</mark>" in html


def test_stemming_and_or_and_exclusion(member, garden) -> None:
    assert garden["best"] in matching_posts(member, Query("gardens"))
    either = set(matching_posts(member, Query("beans or visited")))
    assert either == {garden["best"], garden["once"]}
    assert set(matching_posts(member, Query("community garden -beans"))) == {
        garden["once"],
        garden["apart"],
    }


def test_the_index_follows_edit_delete_hide_restore(member, peer, facilitator, garden) -> None:
    once = garden["once"]

    def found(q: str) -> bool:
        return once in matching_posts(member, Query(q))

    assert found("visited")
    post_edit(post=once, by=member, body="I toured the allotment.", version=once.version)
    assert not found("visited") and found("allotment")
    post_delete(post=once, by=member)
    assert not found("allotment")
    post_restore(post=once, by=member)
    assert found("allotment")
    post_hide(post=once, by=facilitator)
    assert not found("allotment")
    assert result_links(page_of(member, "allotment")) == []
    post_restore(post=once, by=facilitator)
    assert found("allotment")


def test_other_cohorts_and_removed_posts_are_never_found(
    member, peer, facilitator, cohort, other_thread
) -> None:
    thread = thread_create(cohort=cohort, author=peer, title="Budgets", body="budget plans")
    gone, _ = post_create(thread=thread, author=peer, body="budget secret")
    post_delete(post=gone, by=peer)
    rude, _ = post_create(thread=thread, author=peer, body="budget insult")
    post_hide(post=rude, by=facilitator)
    post_create(thread=other_thread, author=other_thread.created_by, body="budget elsewhere")
    assert {p.body for p in matching_posts(member, Query("budget"))} == {"budget plans"}
    html = page_of(member, "budget")
    assert "secret" not in html and "insult" not in html and "elsewhere" not in html
    assert other_thread.title not in html


@pytest.mark.parametrize(
    "q",
    [
        '"unbalanced',
        'garden"',
        "-",
        "- -",
        "--garden",
        '-"',
        "NEAR(community garden)",
        "NEAR(",
        "body:garden",
        "title:",
        "garden*",
        "^garden",
        "(garden",
        "garden)",
        "garden AND OR NOT",
        "or",
        "OR OR",
        '""',
        "'",
        "%",
        "\\",
        "{body title}: garden",
        "garden + + +",
        "NOT garden",
        "x" * 300,
    ],
)
def test_any_query_answers_a_page(member, garden, q) -> None:
    page_of(member, q)
    list(matching_posts(member, Query(q)))


def test_search_syntax_typed_is_read_as_words(member, garden) -> None:
    assert fts_match('NEAR(community garden) body:beans "x') == (
        '("NEAR community" AND "garden" AND "body beans" AND "x")'
    )
    assert fts_match("- -- or") == ""
    assert garden["best"] in matching_posts(member, Query("beans:"))
    assert list(matching_posts(member, Query("body:beans"))) == []


def test_search_page_query_count_does_not_grow_with_matches(member, peer, cohort) -> None:
    def make(n: int) -> None:
        for i in range(n):
            t = thread_create(cohort=cohort, author=peer, title=f"Compost {i}", body="compost")
            post_create(thread=t, author=member, body=f"more compost {i}")

    client = Client()
    client.force_login(member)
    asks = [{"q": "compost"}, {"q": "compost", "kind": "discussions.post"}]

    def counts() -> list[int]:
        out = []
        for params in asks:
            with CaptureQueriesContext(connection) as queries:
                response = client.get("/search/", params)
            assert response.status_code == 200
            out.append(len(queries.captured_queries))
        return out

    make(3)
    counts()
    few = counts()
    make(27)
    many = counts()
    assert len(client.get("/search/", asks[1]).context["rows"]) == 20
    # Everything: the 20 shown may all be of one kind, which saves a query.
    assert many[0] <= few[0]
    assert many[1] == few[1]


def test_rebuild_search_index_refills_the_index(member, garden) -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM discussions_post_fts")
            cursor.execute("DELETE FROM discussions_thread_fts")
        assert list(matching_posts(member, Query("beans"))) == []
    call_command("rebuild_search_index")
    assert list(matching_posts(member, Query("beans"))) == [garden["best"]]
    html = page_of(member, "garden", kind="discussions.thread")
    assert result_links(html) == [garden["thread"].get_absolute_url()]


# --- PostgreSQL (make test-services) -------------------------------------------------------


@pytest.mark.services
def test_postgres_ranks_the_best_answer_first_from_the_stored_vector(member, garden) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (make test-services)")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'discussions_post' "
            "AND indexname = 'discussions_post_search_gin'"
        )
        assert "gin (search_vector)" in cursor.fetchone()[0]
    assert list(matching_posts(member, Query('"community garden"'))) == [
        garden["best"],
        garden["once"],
    ]
    html = page_of(member, '"community garden"', kind="discussions.post")
    assert result_links(html)[0].endswith(f"#post-{garden['best'].pk}")
    assert "<mark>" in html
    assert set(matching_posts(member, Query("community garden -beans"))) == {
        garden["once"],
        garden["apart"],
    }
