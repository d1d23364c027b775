"""Numbers a client sends are range-checked: a clear 400 with a JSON body, never a 500 and
never a stored out-of-range value."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import User
from discussions.models import Post, Thread

pytestmark = pytest.mark.django_db

HUGE = 10**30


@pytest.mark.parametrize("after", [str(HUGE), "-5", "seven"])
def test_catch_up_refuses_an_after_out_of_range(
    api: Any, member: User, thread: Thread, after: str
) -> None:
    response = api(member).get(f"/api/v1/threads/{thread.pk}/posts/", {"after": after})
    assert response.status_code == 400
    assert "after" in response.json()["errors"]


@pytest.mark.parametrize("field", ["reply_to"])
def test_new_post_refuses_a_huge_reply_to(
    api: Any, member: User, thread: Thread, field: str
) -> None:
    before = Post.objects.count()
    response = api(member).post(
        f"/api/v1/threads/{thread.pk}/posts/", {"body": "Hello", field: HUGE}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert Post.objects.count() == before


def test_new_thread_refuses_huge_session_and_goal_ids(
    api: Any, member: User, thread: Thread
) -> None:
    url = f"/api/v1/cohorts/{thread.cohort.slug}/threads/"
    for field in ("session", "goal"):
        response = api(member).post(url, {"title": "T", "body": "B", field: HUGE}, format="json")
        assert response.status_code == 400
        assert field in response.json()["errors"]


def test_edit_refuses_a_huge_version(api: Any, member: User, thread: Thread) -> None:
    post = thread.posts.first()
    response = api(member).patch(
        f"/api/v1/posts/{post.pk}/", {"body": "Changed", "version": HUGE}, format="json"
    )
    assert response.status_code == 400
    assert "version" in response.json()["errors"]


def test_a_thread_title_with_a_line_break_is_refused(
    api: Any, member: User, thread: Thread
) -> None:
    url = f"/api/v1/cohorts/{thread.cohort.slug}/threads/"
    response = api(member).post(url, {"title": "Two\r\nlines", "body": "B"}, format="json")
    assert response.status_code == 400
    assert "single line" in response.json()["detail"]
    assert not Thread.objects.filter(title__contains="lines").exists()


def test_an_edit_past_the_longest_post_is_refused_and_the_post_kept(
    member: User, thread: Thread
) -> None:
    from discussions.services import DiscussionError, post_edit

    post = thread.posts.first()
    with pytest.raises(DiscussionError, match="at most 20,000"):
        post_edit(post=post, by=member, body="x" * 20_001, version=post.version)
    post.refresh_from_db()
    assert len(post.body) < 20_001


def test_a_profile_name_with_a_line_break_is_refused_by_the_api(api: Any, member: User) -> None:
    response = api(member).patch("/api/v1/me/", {"name": "Mei\nMember"}, format="json")
    assert response.status_code == 400
    member.refresh_from_db()
    assert member.name == "Mei Member"
