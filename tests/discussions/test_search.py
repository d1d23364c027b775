"""Search: only what the person may read, never removed posts, escaped highlights, a
bounded number of queries; PostgreSQL full-text ranking under ``make test-services``."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from core.search import Query, marked
from discussions.models import Thread
from discussions.search import (
    fts_match,
    matching_posts,
    matching_threads,
    post_snippets,
    thread_titles,
)
from discussions.services import post_create, post_delete, post_hide, thread_create

pytestmark = pytest.mark.django_db


def found_bodies(user: User, q: str) -> set[str]:
    return {p.body for p in matching_posts(user, Query(q))}


@pytest.fixture
def corpus(cohort, member, peer, facilitator, other_thread) -> dict[str, object]:
    reciprocity = thread_create(
        cohort=cohort, author=peer, title="Reciprocity with partners", body="What is reciprocity?"
    )
    kept, _ = post_create(
        thread=reciprocity, author=member, body="Our partners value reciprocity in MOUs."
    )
    deleted, _ = post_create(thread=reciprocity, author=peer, body="Secret reciprocity draft")
    post_delete(post=deleted, by=peer)
    hidden, _ = post_create(thread=reciprocity, author=peer, body="Rude reciprocity remark")
    post_hide(post=hidden, by=facilitator)
    post_create(thread=other_thread, author=other_thread.created_by, body="Their reciprocity notes")
    return {"thread": reciprocity, "kept": kept}


def test_members_find_only_visible_posts_of_their_cohorts(member, corpus) -> None:
    bodies = found_bodies(member, "reciprocity")
    assert bodies == {"What is reciprocity?", "Our partners value reciprocity in MOUs."}


@pytest.mark.parametrize("who", ["outsider", "removed"])
def test_people_outside_the_cohort_find_nothing(who, roles, corpus) -> None:
    assert found_bodies(roles[who], "reciprocity") == set()
    assert list(matching_threads(roles[who], Query("reciprocity"))) == []


def test_thread_titles_match_too(member, corpus) -> None:
    threads = list(matching_threads(member, Query("partners reciprocity")))
    assert threads == [corpus["thread"]]
    assert "<mark>" in thread_titles([threads[0].pk], "partners reciprocity")[threads[0].pk]


def test_every_word_must_match_and_minus_excludes(member, corpus) -> None:
    assert found_bodies(member, "reciprocity MOUs") == {"Our partners value reciprocity in MOUs."}
    assert found_bodies(member, "reciprocity -MOUs") == {"What is reciprocity?"}
    assert found_bodies(member, "") == set()


def test_highlight_escapes_post_text(member, cohort) -> None:
    thread = thread_create(
        cohort=cohort,
        author=member,
        title="Escaping",
        body='<script>alert("x")</script> reciprocity & <b>trust</b>',
    )
    post = thread.posts.get()
    html = post_snippets([post.pk], "reciprocity")[post.pk]
    assert "<script>" not in html and "<b>" not in html
    assert "<mark>reciprocity</mark> &amp;" in html
    if connection.vendor == "sqlite":  # PostgreSQL's ts_headline drops tags altogether
        assert "&lt;script&gt;" in html
    assert str(marked("a <mark> b")) == "a &lt;mark&gt; b"


def test_highlight_excerpts_long_text_around_the_match(member, cohort) -> None:
    text = "word " * 200 + "needle " + "word " * 200
    thread = thread_create(cohort=cohort, author=member, title="Long", body=text)
    post = thread.posts.get()
    html = str(post_snippets([post.pk], "needle")[post.pk])
    assert html.startswith("…") and html.endswith("…")
    assert "<mark>needle</mark>" in html
    assert len(html) < 400


def test_query_reads_phrases_and_exclusions() -> None:
    assert fts_match('"community partner" voice -survey or') == (
        '(("community partner" AND "voice") NOT ("survey"))'
    )


def test_search_page_links_to_the_post_and_escapes(member, peer, cohort, corpus) -> None:
    thread = corpus["thread"]
    post, _ = post_create(thread=thread, author=peer, body="<img src=x onerror=alert(1)> zebra")
    client = Client()
    client.force_login(member)
    html = client.get("/search/", {"q": "zebra"}).content.decode()
    assert f'href="/cohorts/{cohort.slug}/threads/{thread.pk}/#post-{post.pk}"' in html
    assert "<img src=x" not in html
    assert "<mark>zebra</mark>" in html


def test_search_page_needs_login() -> None:
    response = Client().get("/search/", {"q": "x"})
    assert response.status_code == 302


def test_search_page_query_count_is_bounded(member, peer, cohort, corpus) -> None:
    client = Client()
    client.force_login(member)
    client.get("/search/", {"q": "reciprocity"})
    with CaptureQueriesContext(connection) as few:
        client.get("/search/", {"q": "reciprocity"})
    for n in range(12):
        t = thread_create(cohort=cohort, author=peer, title=f"Reciprocity {n}", body="reciprocity")
        post_create(thread=t, author=member, body=f"more reciprocity {n}")
    with CaptureQueriesContext(connection) as many:
        response = client.get("/search/", {"q": "reciprocity"})
    assert response.status_code == 200
    assert len(many.captured_queries) <= len(few.captured_queries)


# --- PostgreSQL full-text search (make test-services) ---------------------------------------


@pytest.mark.services
def test_postgres_full_text_ranks_and_highlights(member, peer, cohort) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (make test-services)")
    thread = thread_create(cohort=cohort, author=peer, title="Assessment", body="Let us begin.")
    weak, _ = post_create(thread=thread, author=peer, body="One note about partnerships.")
    strong, _ = post_create(
        thread=thread,
        author=member,
        body="Partnerships, partnerships: assessing partnerships with partners <b>now</b>.",
    )
    post_create(thread=thread, author=peer, body="Nothing relevant here.")
    ranked = list(matching_posts(member, Query("partnership")))  # partnership ~ partnerships
    assert [p.pk for p in ranked] == [strong.pk, weak.pk]
    snippet = str(post_snippets([strong.pk], "partnership")[strong.pk])
    assert "<mark>Partnerships</mark>" in snippet
    assert "<b>" not in snippet  # ts_headline drops tags; anything else is escaped
    zebra, _ = post_create(thread=thread, author=peer, body="zebra 5 < 6 & <i>zebra</i>")
    assert list(matching_posts(member, Query("zebra"))) == [zebra]
    snippet = str(post_snippets([zebra.pk], "zebra")[zebra.pk])
    assert "<mark>zebra</mark>" in snippet and "&lt; 6 &amp;" in snippet
    assert "<i>" not in snippet
    posts = matching_posts(member, Query('"assessing partnerships" -zebra'))
    assert [p.pk for p in posts] == [strong.pk]
    assert len(list(matching_posts(member, Query("note or relevant")))) == 2


@pytest.mark.services
def test_postgres_search_hides_what_the_person_may_not_see(
    member, outsider, peer, facilitator, cohort, other_thread
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (make test-services)")
    thread: Thread = thread_create(cohort=cohort, author=peer, title="Budgets", body="budget")
    gone, _ = post_create(thread=thread, author=peer, body="budget secret")
    post_delete(post=gone, by=peer)
    post_create(thread=other_thread, author=other_thread.created_by, body="budget elsewhere")
    assert found_bodies(member, "budget") == {"budget"}
    assert found_bodies(outsider, "budget") == set()
