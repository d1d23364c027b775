"""The live partial of a post (the ``html`` of socket events, catch-up replays and the API)
is rendered once per version of the post and shared: a catch-up that replays the same posts
to many sockets renders none of them again, and an edit, a hide or a reaction makes a new
one."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import User
from discussions import events
from discussions.models import Thread
from discussions.selectors import posts_after
from discussions.services import post_create, post_edit, post_hide, reaction_toggle
from tests.helpers import clear_cache

pytestmark = pytest.mark.django_db


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The ids of the posts whose live partial was rendered."""
    seen: list[int] = []
    real = events._render_live

    def counting(post: Any) -> str:
        seen.append(post.pk)
        return real(post)

    monkeypatch.setattr(events, "_render_live", counting)
    return seen


def _replay(thread: Thread) -> list[dict[str, Any]]:
    return events.post_payloads(list(posts_after(thread.pk, 0).prefetch_related("reactions")))


def test_a_replay_to_many_sockets_renders_each_post_once(
    thread: Thread, member: User, facilitator: User, renders: list[int]
) -> None:
    posts = [post_create(thread=thread, author=member, body=f"Note {n}")[0] for n in range(3)]
    clear_cache()
    renders.clear()
    first = _replay(thread)
    assert sorted(renders) == sorted(p.pk for p in thread.posts.all())
    renders.clear()
    for _socket in range(20):
        assert _replay(thread) == first
    assert renders == []
    # Each change makes a new partial for that post only, and the replay shows it.
    post_edit(post=posts[0], by=member, body="Note zero, revised", version=1)
    reaction_toggle(post=posts[1], user=facilitator, kind="thanks")
    post_hide(post=posts[2], by=facilitator)
    again = {p["id"]: p["html"] for p in _replay(thread)}
    assert sorted(renders) == sorted(p.pk for p in posts)
    assert "Note zero, revised" in again[posts[0].pk]
    assert 'class="reaction__count" aria-hidden="true">1<' in again[posts[1].pk]
    assert "Note 2" not in again[posts[2].pk]
    assert "hidden by a facilitator" in again[posts[2].pk]
