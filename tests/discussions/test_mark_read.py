"""Reading is an explicit POST: opening a thread page (or anything another page makes the
browser fetch, like an image pointing at it) changes no read state; the page's script, or
its "Mark as read" button without JavaScript, posts to the read endpoint, which takes a
post id it range-checks."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from cohorts.models import Cohort
from discussions.models import ReadState, Thread
from discussions.services import post_create, thread_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy(cohort: Cohort, peer: User) -> Thread:
    thread = thread_create(cohort=cohort, author=peer, title="Busy", body="first")
    post_create(thread=thread, author=peer, body="second")
    post_create(thread=thread, author=peer, body="third")
    thread.refresh_from_db()
    return thread


def _pointer(user: User, thread: Thread) -> int | None:
    state = ReadState.objects.filter(user=user, thread=thread).first()
    return None if state is None else state.last_read_post_id


def _read_url(thread: Thread) -> str:
    return reverse("discussions:read", args=[thread.cohort.slug, thread.pk])


def test_opening_a_thread_page_changes_no_read_state(
    busy: Thread, member: User, client_for: Callable[..., Client]
) -> None:
    client = client_for(member)
    for query in ({}, {"page": 1}, {"reply_to": busy.last_post_id}):
        assert client.get(busy.get_absolute_url(), query).status_code == 200
    first_unread = reverse("discussions:first_unread", args=[busy.cohort.slug, busy.pk])
    client.get(first_unread, follow=True)
    assert _pointer(member, busy) is None
    # Still unread, everywhere it is counted.
    page = client.get(reverse("discussions:list", args=[busy.cohort.slug]))
    assert {t.title: t.unread for t in page.context["threads"]} == {"Busy": 3}


def test_an_image_of_a_thread_page_in_a_post_is_not_an_image(
    busy: Thread, cohort: Cohort, member: User, peer: User
) -> None:
    other = thread_create(cohort=cohort, author=peer, title="Bait", body="x")
    post, _ = post_create(thread=other, author=peer, body=f"![x]({busy.get_absolute_url()})")
    assert "<img" not in post.body_html
    assert busy.get_absolute_url() not in post.body_html


def test_the_thread_page_offers_a_mark_as_read_button_that_posts(
    busy: Thread, member: User, client_for: Callable[..., Client]
) -> None:
    client = client_for(member)
    page = client.get(busy.get_absolute_url()).content.decode()
    assert f'action="{_read_url(busy)}"' in page
    assert f'name="up_to" value="{busy.last_post_id}"' in page
    assert "Mark as read" in page
    response = client.post(_read_url(busy), {"up_to": busy.last_post_id})
    assert response.status_code == 302
    assert _pointer(member, busy) == busy.last_post_id
    # Nothing left to read: no button.
    assert "Mark as read" not in client.get(busy.get_absolute_url()).content.decode()


def test_the_read_endpoint_refuses_get(
    busy: Thread, member: User, client_for: Callable[..., Client]
) -> None:
    assert client_for(member).get(_read_url(busy)).status_code == 405
    assert _pointer(member, busy) is None


@pytest.mark.parametrize(
    "up_to",
    [str(10**30), str(2**62), str(2**63), "9" * 4000],
    ids=["10**30", "2**62", "2**63", "4000-digits"],
)
def test_a_huge_up_to_is_clamped_to_the_last_post(
    busy: Thread, member: User, client_for: Callable[..., Client], up_to: str
) -> None:
    client = client_for(member)
    response = client.post(_read_url(busy), {"up_to": up_to}, HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.json() == {"last_read_post_id": busy.last_post_id}
    assert _pointer(member, busy) == busy.last_post_id
    # A later post is still unread.
    later, _ = post_create(thread=busy, author=busy.created_by, body="fourth")
    page = client.get(reverse("discussions:list", args=[busy.cohort.slug]))
    assert {t.title: t.unread for t in page.context["threads"]} == {"Busy": 1}
    assert later.pk > busy.last_post_id


@pytest.mark.parametrize("up_to", ["abc", "", "-1", "0", "1.5", "1e9", "0x10", " 3"])
def test_an_up_to_that_is_not_a_positive_number_is_refused(
    busy: Thread, member: User, client_for: Callable[..., Client], up_to: str
) -> None:
    client = client_for(member)
    response = client.post(_read_url(busy), {"up_to": up_to}, HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert response.json()["detail"] == "up_to must be a post id (a positive whole number)."
    assert client.post(_read_url(busy), {"up_to": up_to}).status_code == 400
    assert _pointer(member, busy) is None


def test_mark_all_read_takes_a_fixed_number_of_queries(
    thread: Thread, member, django_assert_max_num_queries
) -> None:
    from discussions.models import ReadState
    from discussions.services import cohort_mark_all_read

    for n in range(12):
        thread_create(cohort=thread.cohort, author=member, title=f"T{n}", body="b")
    with django_assert_max_num_queries(6):
        count = cohort_mark_all_read(cohort=thread.cohort, user=member)
    assert count == 13
    states = ReadState.objects.filter(user=member)
    assert all(s.last_read_post_id == s.thread.last_post_id for s in states)
