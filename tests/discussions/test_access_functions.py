"""access_thread and access_post: one lookup for pages, the API and the socket, answering
the same 404 for what does not exist and what is not the caller's; and the post rules
(restore, history) that pages and services share."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from discussions.models import Post, Thread
from discussions.permissions import access_post, access_thread, can_restore, can_see_post_text
from discussions.services import post_create, post_delete, post_hide

pytestmark = pytest.mark.django_db


def _thread_refusal(user: object, thread_id: int, need: str = "view") -> str:
    with pytest.raises(Http404) as refused:
        access_thread(user, thread_id=thread_id, need=need)  # type: ignore[arg-type]
    return str(refused.value)


def _post_refusal(user: object, post_id: int, need: str = "view") -> str:
    with pytest.raises(Http404) as refused:
        access_post(user, post_id=post_id, need=need)  # type: ignore[arg-type]
    return str(refused.value)


@pytest.mark.parametrize("need", ["view", "post", "moderate"])
def test_a_missing_thread_and_someone_elses_are_the_same_not_found(
    need: str, other_thread: Thread, member: User
) -> None:
    missing = other_thread.pk + 1000
    assert _thread_refusal(member, other_thread.pk, need) == _thread_refusal(member, missing, need)


@pytest.mark.parametrize("need", ["view", "text", "react", "edit"])
def test_a_missing_post_and_someone_elses_are_the_same_not_found(
    need: str, other_thread: Thread, member: User
) -> None:
    theirs = other_thread.posts.first()
    assert _post_refusal(member, theirs.pk, need) == _post_refusal(member, theirs.pk + 1000, need)


def test_each_role_gets_what_its_need_allows_in_a_thread(
    thread: Thread, member: User, facilitator: User, outsider: User, removed: User, staff: User
) -> None:
    allowed = {
        "anonymous": set(),
        "outsider": set(),
        "removed": set(),
        "member": {"view", "post"},
        "facilitator": {"view", "post", "moderate"},
        "staff": {"view"},
    }
    people = {
        "anonymous": AnonymousUser(),
        "outsider": outsider,
        "removed": removed,
        "member": member,
        "facilitator": facilitator,
        "staff": staff,
    }
    for role, person in people.items():
        for need in ("view", "post", "moderate"):
            if need in allowed[role]:
                found = access_thread(person, thread_id=thread.pk, need=need)  # type: ignore[arg-type]
                assert found == thread and found.cohort == thread.cohort
            else:
                with pytest.raises(Http404):
                    access_thread(person, thread_id=thread.pk, need=need)  # type: ignore[arg-type]


def test_a_thread_or_post_under_another_cohorts_address_is_not_found(
    thread: Thread, other_thread: Thread, member: User
) -> None:
    post = thread.posts.first()
    wrong_slug = other_thread.cohort.slug
    with pytest.raises(Http404):
        access_thread(member, thread_id=thread.pk, cohort_slug=wrong_slug)
    with pytest.raises(Http404):
        access_post(member, post_id=post.pk, cohort_slug=wrong_slug)
    with pytest.raises(Http404):
        access_post(member, post_id=post.pk, thread_id=other_thread.pk)
    found = access_post(
        member, post_id=post.pk, thread_id=thread.pk, cohort_slug=thread.cohort.slug
    )
    assert found == post and found.thread == thread


def test_only_the_author_may_open_a_post_for_editing(
    thread: Thread, member: User, peer: User, facilitator: User
) -> None:
    post = thread.posts.first()
    assert access_post(member, post_id=post.pk, need="edit") == post
    for other in (peer, facilitator):
        with pytest.raises(Http404):
            access_post(other, post_id=post.pk, need="edit")


def test_a_hidden_posts_text_is_for_its_author_and_the_facilitators(
    thread: Thread, member: User, peer: User, facilitator: User, staff: User
) -> None:
    post, _ = post_create(thread=thread, author=peer, body="Off topic")
    post_hide(post=post, by=facilitator)
    for person in (peer, facilitator):
        assert access_post(person, post_id=post.pk, need="text") == post
    for person in (member, staff):
        with pytest.raises(Http404):
            access_post(person, post_id=post.pk, need="text")
        # Its place in the thread is still there for anyone who reads the thread.
        assert access_post(person, post_id=post.pk) == post
    with pytest.raises(Http404):
        access_post(peer, post_id=post.pk, need="react")
    assert not can_see_post_text(member, Post.objects.get(pk=post.pk))


def test_restoring_follows_who_removed_the_post_and_when(
    thread: Thread, member: User, peer: User, facilitator: User
) -> None:
    post, _ = post_create(thread=thread, author=peer, body="Second thoughts")
    post_delete(post=post, by=peer)
    post = Post.objects.select_related("thread__cohort").get(pk=post.pk)
    assert can_restore(peer, post) and can_restore(facilitator, post)
    assert not can_restore(member, post) and not can_restore(AnonymousUser(), post)
    post.deleted_at = timezone.now() - timedelta(days=31)
    assert not can_restore(peer, post) and not can_restore(facilitator, post)
    post.deleted_at, post.hidden_at = None, timezone.now()
    assert can_restore(facilitator, post) and not can_restore(peer, post)
