"""Every discussion page and write against each role: what one may not see is a 404, what
one may see but not do is refused, and nothing changes when it is."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from discussions.models import Post, Reaction, ReadState, Thread, ThreadSubscription

pytestmark = pytest.mark.django_db

NOT_VISIBLE = ["anonymous", "outsider", "removed"]
VISIBLE = ["member", "facilitator"]


def _urls(thread: Thread, post: Post) -> dict[str, str]:
    slug, pk = thread.cohort.slug, thread.pk
    return {
        "list": reverse("discussions:list", args=[slug]),
        "new": reverse("discussions:new", args=[slug]),
        "thread": reverse("discussions:thread", args=[slug, pk]),
        "history": reverse("discussions:history", args=[slug, pk, post.pk]),
        "first_unread": reverse("discussions:first_unread", args=[slug, pk]),
        "mentions": reverse("discussions:mentions", args=[slug, pk]),
    }


def _writes(thread: Thread, post: Post) -> dict[str, tuple[str, dict[str, Any]]]:
    slug, pk = thread.cohort.slug, thread.pk
    return {
        "post": (reverse("discussions:post", args=[slug, pk]), {"body": "Sneaky"}),
        "react": (reverse("discussions:react", args=[slug, pk, post.pk]), {"kind": "thanks"}),
        "delete": (reverse("discussions:delete", args=[slug, pk, post.pk]), {}),
        "hide": (reverse("discussions:hide", args=[slug, pk, post.pk]), {}),
        "restore": (reverse("discussions:restore", args=[slug, pk, post.pk]), {}),
        "flags": (reverse("discussions:flags", args=[slug, pk]), {"locked": "1"}),
        "follow": (reverse("discussions:follow", args=[slug, pk]), {"level": "muted"}),
        "read": (reverse("discussions:read", args=[slug, pk]), {"up_to": post.pk}),
        "read_all": (reverse("discussions:read_all", args=[slug]), {}),
        "edit": (
            reverse("discussions:edit", args=[slug, pk, post.pk]),
            {"body": "Changed", "version": 1},
        ),
    }


def _snapshot(thread: Thread) -> tuple[Any, ...]:
    thread.refresh_from_db()
    return (
        list(Post.objects.values_list("pk", "body", "deleted_at", "hidden_at")),
        Reaction.objects.count(),
        ReadState.objects.exclude(user=thread.created_by).count(),
        ThreadSubscription.objects.exclude(user=thread.created_by).count(),
        thread.locked,
    )


@pytest.mark.parametrize("role", NOT_VISIBLE)
@pytest.mark.parametrize("page", ["list", "new", "thread", "history", "first_unread", "mentions"])
def test_people_outside_the_cohort_get_404_on_every_page(
    role: str, page: str, roles: dict[str, Any], thread: Thread, client_for: Callable[..., Client]
) -> None:
    post = thread.posts.first()
    response = client_for(roles[role]).get(_urls(thread, post)[page])
    assert response.status_code == 404


@pytest.mark.parametrize("role", NOT_VISIBLE)
def test_people_outside_the_cohort_get_404_for_a_thread_that_does_not_exist_too(
    role: str, roles: dict[str, Any], thread: Thread, client_for: Callable[..., Client]
) -> None:
    url = reverse("discussions:thread", args=[thread.cohort.slug, thread.pk + 999])
    assert client_for(roles[role]).get(url).status_code == 404


@pytest.mark.parametrize("role", NOT_VISIBLE)
@pytest.mark.parametrize(
    "action",
    ["post", "react", "delete", "hide", "restore", "flags", "follow", "read", "read_all", "edit"],
)
def test_people_outside_the_cohort_get_404_on_every_write_and_nothing_changes(
    role: str,
    action: str,
    roles: dict[str, Any],
    thread: Thread,
    client_for: Callable[..., Client],
) -> None:
    post = thread.posts.first()
    before = _snapshot(thread)
    url, data = _writes(thread, post)[action]
    response = client_for(roles[role]).post(url, data)
    assert response.status_code == 404
    assert _snapshot(thread) == before


@pytest.mark.parametrize("role", VISIBLE)
@pytest.mark.parametrize("page", ["list", "thread", "history", "mentions"])
def test_members_and_facilitators_see_the_pages(
    role: str, page: str, roles: dict[str, Any], thread: Thread, client_for: Callable[..., Client]
) -> None:
    post = thread.posts.first()
    assert client_for(roles[role]).get(_urls(thread, post)[page]).status_code == 200


def test_a_member_cannot_hide_pin_or_lock(
    thread: Thread, peer: User, client_for: Callable[..., Client]
) -> None:
    post = thread.posts.first()
    before = _snapshot(thread)
    client = client_for(peer)
    for action in ("hide", "flags"):
        url, data = _writes(thread, post)[action]
        response = client.post(url, data, follow=True)
        assert b"Only facilitators" in response.content
    after = _snapshot(thread)
    # (Following the redirect opened the thread, which moved the read pointer: expected.)
    assert after[:2] + after[3:] == before[:2] + before[3:]


def test_a_member_cannot_delete_or_edit_someone_elses_post(
    thread: Thread, peer: User, client_for: Callable[..., Client]
) -> None:
    post = thread.posts.first()
    client = client_for(peer)
    url, data = _writes(thread, post)["delete"]
    response = client.post(url, data, follow=True)
    assert b"You can only delete your own posts." in response.content
    edit_url, data = _writes(thread, post)["edit"]
    assert client.get(edit_url).status_code == 404
    assert client.post(edit_url, data).status_code == 404
    post.refresh_from_db()
    assert post.deleted_at is None and post.body == "What did you think?"


def test_a_facilitator_cannot_edit_a_members_post(
    thread: Thread, facilitator: User, client_for: Callable[..., Client]
) -> None:
    post = thread.posts.first()
    url, data = _writes(thread, post)["edit"]
    assert client_for(facilitator).post(url, data).status_code == 404


def test_staff_read_but_cannot_post(
    thread: Thread, staff: User, client_for: Callable[..., Client]
) -> None:
    client = client_for(staff)
    page = client.get(thread.get_absolute_url())
    assert page.status_code == 200
    assert b'id="composer"' not in page.content
    url, data = _writes(thread, thread.posts.first())["post"]
    response = client.post(url, data)
    assert response.status_code == 403
    assert thread.posts.count() == 1
    assert client.get(reverse("discussions:new", args=[thread.cohort.slug])).status_code == 404


def test_a_hidden_posts_history_is_404_for_other_members(
    thread: Thread, facilitator: User, peer: User, member: User, client_for: Callable[..., Client]
) -> None:
    from discussions.services import post_hide

    post = thread.posts.first()
    post_hide(post=post, by=facilitator)
    url = _urls(thread, post)["history"]
    assert client_for(peer).get(url).status_code == 404
    assert client_for(member).get(url).status_code == 200
    assert client_for(facilitator).get(url).status_code == 200


def test_mentions_are_for_members_only_and_list_cohort_people(
    thread: Thread, peer: User, member: User, staff: User, client_for: Callable[..., Client]
) -> None:
    url = _urls(thread, thread.posts.first())["mentions"]
    data = client_for(member).get(url, {"q": "pa"}).json()
    assert [p["handle"] for p in data["results"]] == ["pat-peer"]
    everyone = client_for(member).get(url).json()["results"]
    assert "mei-member" not in {p["handle"] for p in everyone}  # not yourself
    assert "fay-facilitator" in {p["handle"] for p in everyone}
    assert client_for(staff).get(url).status_code == 404


def test_a_post_in_another_cohorts_thread_is_404(
    thread: Thread,
    make_cohort: Callable[..., Any],
    make_user: Callable[..., User],
    member: User,
    client_for: Callable[..., Client],
) -> None:
    from discussions.services import thread_create

    host = make_user(name="Hana Host")
    other = make_cohort(by=host, title="Another cohort entirely", capacity=12)
    elsewhere = thread_create(cohort=other, author=host, title="Not yours", body="Private")
    secret = elsewhere.posts.first()
    client = client_for(member)
    # The right thread in the URL, a post id from another thread: 404, never a leak.
    url = reverse("discussions:history", args=[thread.cohort.slug, thread.pk, secret.pk])
    assert client.get(url).status_code == 404
    # Another cohort's thread under this cohort's slug: 404.
    url = reverse("discussions:thread", args=[thread.cohort.slug, elsewhere.pk])
    assert client.get(url).status_code == 404
