"""Unread tracking on the pages (list counts, mark all read, first-unread redirect,
marking a thread read, the dashboard panel) and query counts that do not grow."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from cohorts.models import Cohort
from discussions.models import Thread
from discussions.services import (
    post_create,
    post_hide,
    reaction_toggle,
    thread_create,
    thread_subscribe,
)

pytestmark = pytest.mark.django_db


def _unread(client: Client, cohort: Cohort) -> dict[str, int]:
    page = client.get(reverse("discussions:list", args=[cohort.slug]))
    return {t.title: t.unread for t in page.context["threads"]}


def test_the_list_counts_unread_posts_per_thread_for_the_viewer(
    cohort: Cohort, member: User, peer: User, client_for: Callable[..., Client]
) -> None:
    mine = thread_create(cohort=cohort, author=member, title="Mine", body="first")
    theirs = thread_create(cohort=cohort, author=peer, title="Theirs", body="first")
    post_create(thread=mine, author=peer, body="reply 1")
    post_create(thread=mine, author=peer, body="reply 2")
    assert _unread(client_for(member), cohort) == {"Mine": 2, "Theirs": 1}
    # Posting reads the thread up to your own post.
    assert _unread(client_for(peer), cohort) == {"Mine": 0, "Theirs": 0}
    page = client_for(member).get(reverse("discussions:list", args=[cohort.slug])).content
    assert b"2 unread" in page
    assert theirs.pk


def test_hidden_posts_do_not_count_as_unread(
    cohort: Cohort, member: User, peer: User, facilitator: User, client_for: Callable[..., Client]
) -> None:
    thread = thread_create(cohort=cohort, author=member, title="T", body="first")
    post, _ = post_create(thread=thread, author=peer, body="spam")
    post_hide(post=post, by=facilitator)
    assert _unread(client_for(member), cohort) == {"T": 0}


def test_pinned_threads_come_first_then_last_activity(
    cohort: Cohort, member: User, facilitator: User, client_for: Callable[..., Client]
) -> None:
    from discussions.services import thread_set_flags

    old = thread_create(cohort=cohort, author=member, title="Old", body="x")
    thread_create(cohort=cohort, author=member, title="Middle", body="x")
    thread_create(cohort=cohort, author=member, title="New", body="x")
    thread_set_flags(thread=old, by=facilitator, pinned=True)
    assert list(_unread(client_for(member), cohort)) == ["Old", "New", "Middle"]


def test_marking_a_thread_read_and_mark_all_read_clear_the_list(
    cohort: Cohort, member: User, peer: User, client_for: Callable[..., Client]
) -> None:
    a = thread_create(cohort=cohort, author=peer, title="A", body="x")
    thread_create(cohort=cohort, author=peer, title="B", body="x")
    client = client_for(member)
    client.get(a.get_absolute_url())
    assert _unread(client, cohort) == {"A": 1, "B": 1}  # opening the page reads nothing
    client.post(reverse("discussions:read", args=[cohort.slug, a.pk]), {"up_to": a.last_post_id})
    assert _unread(client, cohort) == {"A": 0, "B": 1}
    response = client.post(reverse("discussions:read_all", args=[cohort.slug]))
    assert response.status_code == 302
    assert _unread(client, cohort) == {"A": 0, "B": 0}


def test_first_unread_redirects_to_the_first_post_after_the_pointer(
    cohort: Cohort, member: User, peer: User, client_for: Callable[..., Client]
) -> None:
    thread = thread_create(cohort=cohort, author=member, title="T", body="mine")
    first, _ = post_create(thread=thread, author=peer, body="one")
    post_create(thread=thread, author=peer, body="two")
    url = reverse("discussions:first_unread", args=[cohort.slug, thread.pk])
    response = client_for(member).get(url)
    assert response["Location"] == f"{thread.get_absolute_url()}#post-{first.pk}"
    page = client_for(member).get(thread.get_absolute_url())
    assert page.context["first_unread"] == first.pk
    assert b"Jump to first unread" in page.content
    # Read (thread.js posts it once the page is shown): the redirect goes to the last post.
    client_for(member).post(reverse("discussions:read", args=[cohort.slug, thread.pk]))
    response = client_for(member).get(url)
    assert response["Location"].endswith(f"#post-{thread.posts.last().pk}")


def test_the_read_endpoint_moves_the_pointer_forward_only(
    cohort: Cohort, member: User, peer: User, client_for: Callable[..., Client]
) -> None:
    thread = thread_create(cohort=cohort, author=peer, title="T", body="x")
    one, _ = post_create(thread=thread, author=peer, body="one")
    two, _ = post_create(thread=thread, author=peer, body="two")
    url = reverse("discussions:read", args=[cohort.slug, thread.pk])
    client = client_for(member)
    answer = client.post(url, {"up_to": two.pk}, HTTP_ACCEPT="application/json").json()
    assert answer["last_read_post_id"] == two.pk
    answer = client.post(url, {"up_to": one.pk}, HTTP_ACCEPT="application/json").json()
    assert answer["last_read_post_id"] == two.pk


def test_the_dashboard_lists_unread_threads_but_not_muted_ones(
    cohort: Cohort, member: User, peer: User, client_for: Callable[..., Client]
) -> None:
    loud = thread_create(cohort=cohort, author=peer, title="Loud thread", body="x")
    quiet = thread_create(cohort=cohort, author=peer, title="Quiet thread", body="x")
    thread_subscribe(thread=quiet, user=member, level="muted")
    page = client_for(member).get(reverse("dashboard:home")).content.decode()
    assert "Loud thread" in page and "Quiet thread" not in page
    assert loud.get_absolute_url() in page


def test_the_cohort_home_links_to_discussions_with_the_unread_threads(
    cohort: Cohort, member: User, peer: User, client_for: Callable[..., Client]
) -> None:
    thread = thread_create(cohort=cohort, author=peer, title="Loud thread", body="x")
    page = client_for(member).get(reverse("cohorts:detail", args=[cohort.slug])).content.decode()
    assert reverse("discussions:list", args=[cohort.slug]) in page
    first_unread = reverse("discussions:first_unread", args=[cohort.slug, thread.pk])
    assert f'<a href="{first_unread}"><strong>Loud thread</strong></a>' in page


# --- Query counts ---------------------------------------------------------------------------


def _threads(cohort: Cohort, people: list[User], n: int) -> None:
    for i in range(n):
        thread = thread_create(cohort=cohort, author=people[i % 2], title=f"T{i}", body="x")
        post_create(thread=thread, author=people[(i + 1) % 2], body="reply")


def _count_queries(client: Client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_thread_list_query_count_does_not_grow_with_threads(
    cohort: Cohort,
    member: User,
    peer: User,
    client_for: Callable[..., Client],
    django_assert_max_num_queries: Callable[..., object],
) -> None:
    client = client_for(member)
    url = reverse("discussions:list", args=[cohort.slug])
    _threads(cohort, [member, peer], 3)
    few = _count_queries(client, url)
    _threads(cohort, [member, peer], 27)
    assert Thread.objects.filter(cohort=cohort).count() == 30
    with django_assert_max_num_queries(few):
        client.get(url)


def test_the_thread_page_query_count_does_not_grow_with_posts(
    cohort: Cohort,
    member: User,
    peer: User,
    facilitator: User,
    client_for: Callable[..., Client],
    django_assert_max_num_queries: Callable[..., object],
) -> None:
    thread = thread_create(cohort=cohort, author=member, title="Long", body="x")
    client = client_for(member)

    def grow(n: int) -> None:
        last = thread.posts.last()
        for i in range(n):
            post, _ = post_create(
                thread=thread, author=peer, body=f"p{i} @mei-member", reply_to=last
            )
            reaction_toggle(post=post, user=member, kind="thanks")
            reaction_toggle(post=post, user=facilitator, kind="agree")
            last = post

    grow(4)
    few = _count_queries(client, thread.get_absolute_url())
    grow(45)
    assert thread.posts.count() == 50
    with django_assert_max_num_queries(few):
        client.get(thread.get_absolute_url())
