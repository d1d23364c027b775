"""Mentions go to the person whose unique @handle was typed, and stay with the person they
were resolved to when posted: copying someone's display name (with an e-mail that sorts
first) takes nothing, and a handle changing hands later moves no mention already made."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from accounts.models import Notification, User
from accounts.services import profile_update
from cohorts.models import Membership
from discussions.models import Mention, Thread
from discussions.services import post_create, post_edit
from discussions.services.posts import cohort_handles

pytestmark = pytest.mark.django_db


def _mentioned(post_id: int) -> set[int]:
    return set(Mention.objects.filter(post_id=post_id).values_list("user_id", flat=True))


def _link(person: User, text: str) -> str:
    return f'<a href="/people/{person.pk}/" rel="nofollow noopener noreferrer ugc">{text}</a>'


def _told(user: User) -> int:
    return Notification.objects.filter(user=user, kind="discussions.mention").count()


@pytest.fixture
def copier(thread: Thread, make_user: Callable[..., User], seat: Callable[..., Membership]) -> User:
    """A member whose e-mail sorts before everyone's and who renames themself "Pat Peer"."""
    person = make_user("aaa@example.org", name="Quinn Copier")
    seat(thread.cohort, person)
    return person


def test_copying_a_display_name_does_not_take_someones_mentions(
    thread: Thread, member: User, peer: User, copier: User, announced: Any
) -> None:
    profile_update(user=copier, name=peer.name)
    post, _ = announced(thread=thread, author=member, body="What do you think, @pat-peer?")
    assert _mentioned(post.pk) == {peer.pk}
    assert f'href="/people/{peer.pk}/"' in post.body_html
    assert f"/people/{copier.pk}/" not in post.body_html
    assert (_told(peer), _told(copier)) == (1, 0)


def test_a_newcomer_with_the_same_name_gets_another_handle_and_their_own_mentions(
    thread: Thread,
    member: User,
    peer: User,
    make_user: Callable[..., User],
    seat: Callable[..., Membership],
) -> None:
    twin = make_user("aa-twin@example.org", name=peer.name)
    seat(thread.cohort, twin)
    assert twin.handle == "pat-peer-2"
    post, _ = post_create(thread=thread, author=member, body="@pat-peer and @Pat-Peer-2")
    assert _mentioned(post.pk) == {peer.pk, twin.pk}
    handles = cohort_handles(thread)
    assert (handles["pat-peer"], handles["pat-peer-2"]) == (peer, twin)


def test_a_mention_stays_with_its_person_after_the_handle_changes_hands(
    thread: Thread, member: User, peer: User, copier: User, announced: Any
) -> None:
    post, _ = announced(thread=thread, author=member, body="Over to you, @pat-peer.")
    profile_update(user=peer, handle="pat")
    profile_update(user=copier, handle="pat-peer", name=peer.name)

    post.refresh_from_db()
    assert f'href="/people/{peer.pk}/"' in post.body_html
    # An edit renders the text again: the handle it had resolved still means Pat.
    post = post_edit(post=post, by=member, body="Over to you, @pat-peer. Thanks!", version=1)
    assert f'href="/people/{peer.pk}/"' in post.body_html
    assert f"/people/{copier.pk}/" not in post.body_html
    assert _mentioned(post.pk) == {peer.pk}
    assert _told(copier) == 0
    # A new post means whoever has the handle now.
    later, _ = announced(thread=thread, author=member, body="@pat-peer and @pat")
    assert _mentioned(later.pk) == {peer.pk, copier.pk}
    assert _link(copier, "@pat-peer") in later.body_html
    assert _link(peer, "@pat") in later.body_html


def test_handles_with_underscores_and_capitals_are_mentioned(
    thread: Thread, member: User, peer: User
) -> None:
    profile_update(user=peer, handle="Pat_P")
    post, _ = post_create(thread=thread, author=member, body="Thanks @pat_p, and @PAT_P.")
    assert _mentioned(post.pk) == {peer.pk}
    assert _link(peer, "@pat_p") in post.body_html
