"""The discussions API of CONTRACT.md: threads and posts, idempotent create, versioned
edit, catch-up, pagination, query counts, and one permission answer per role."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from accounts.models import User
from cohorts.models import Cohort
from discussions.models import Post, Thread
from discussions.services import post_create, post_hide, thread_create, thread_set_flags

pytestmark = pytest.mark.django_db

POST_FIELDS = {"id", "thread", "author", "body", "body_html", "created_at", "edited_at", "version"}


def threads_url(cohort: Cohort | str) -> str:
    slug = cohort if isinstance(cohort, str) else cohort.slug
    return f"/api/v1/cohorts/{slug}/threads/"


def posts_url(thread: Thread | int) -> str:
    return f"/api/v1/threads/{getattr(thread, 'pk', thread)}/posts/"


def post_url(post: Post | int) -> str:
    return f"/api/v1/posts/{getattr(post, 'pk', post)}/"


# --- the permission table ----------------------------------------------------------------

# role -> expected status for each endpoint. Anonymous callers are asked to authenticate;
# anyone who may not read the cohort gets 404, exactly as for something that does not exist.
TABLE = {
    #              list  start  posts  reply  edit-own-post-of-member
    "anonymous": (401, 401, 401, 401, 401),
    "outsider": (404, 404, 404, 404, 404),
    "removed": (404, 404, 404, 404, 404),
    "member": (200, 201, 200, 201, 200),
    "facilitator": (200, 201, 200, 201, 403),
}


@pytest.mark.parametrize("role", list(TABLE))
def test_permission_table(role: str, roles: dict[str, Any], api, cohort, thread) -> None:
    first = thread.posts.get()
    client = api(roles[role])
    expected = TABLE[role]
    got = (
        client.get(threads_url(cohort)).status_code,
        client.post(threads_url(cohort), {"title": "Hello", "body": "First"}).status_code,
        client.get(posts_url(thread)).status_code,
        client.post(posts_url(thread), {"body": "Me too"}).status_code,
        client.patch(post_url(first), {"body": "Changed", "version": 1}).status_code,
    )
    assert got == expected
    if expected[4] != 200:
        first.refresh_from_db()
        assert first.body == "What did you think?"


@pytest.mark.parametrize("role", ["outsider", "removed", "member"])
def test_missing_and_invisible_objects_answer_the_same_404(
    role: str, roles: dict[str, Any], api, other_thread: Thread
) -> None:
    client = api(roles[role])
    other_post = other_thread.posts.get()
    for url in (threads_url(other_thread.cohort), threads_url("no-such-cohort")):
        assert client.get(url).status_code == 404
        assert client.post(url, {"title": "x", "body": "y"}).status_code == 404
    for target in (other_thread, 999999):
        assert client.get(posts_url(target)).status_code == 404
        assert client.post(posts_url(target), {"body": "y"}).status_code == 404
    for target in (other_post, 999999):
        response = client.patch(post_url(target), {"body": "y", "version": 1})
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found.", "code": "not_found"}
    assert not Post.objects.filter(body="y").exists()


def test_program_staff_read_but_do_not_post(api, staff: User, cohort, thread) -> None:
    client = api(staff)
    assert client.get(posts_url(thread)).status_code == 200
    response = client.post(posts_url(thread), {"body": "Staff here"})
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_token_auth_works(api, member: User, cohort, thread) -> None:
    from accounts.services import api_token_reset

    token = api_token_reset(user=member)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get(posts_url(thread)).status_code == 200


# --- threads -------------------------------------------------------------------------------


def test_start_a_thread_with_session_and_client_id(
    api, member: User, cohort: Cohort, facilitator: User
) -> None:
    import datetime as dt

    from django.utils import timezone

    from cohorts.services import session_create

    start = timezone.now() + dt.timedelta(days=3)
    session = session_create(
        cohort=cohort,
        by=facilitator,
        title="Session 3",
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=90),
    )
    client = api(member)
    key = str(uuid.uuid4())
    body = {
        "title": "Prep for session 3",
        "body": "Read **this**",
        "session": session.pk,
        "client_id": key,
    }
    first = client.post(threads_url(cohort), body)
    assert first.status_code == 201, first.json()
    data = first.json()
    assert data["title"] == "Prep for session 3"
    assert data["session"] == session.pk
    assert data["post_count"] == 1
    assert data["created_by"] == {"id": member.pk, "name": member.display_name}
    again = client.post(threads_url(cohort), body)
    assert again.status_code == 200
    assert again.json()["id"] == data["id"]
    assert Thread.objects.filter(title="Prep for session 3").count() == 1


def test_a_session_of_another_cohort_is_refused(api, member, cohort, other_thread) -> None:
    import datetime as dt

    from django.utils import timezone

    from cohorts.services import session_create

    start = timezone.now() + dt.timedelta(days=3)
    other_session = session_create(
        cohort=other_thread.cohort,
        by=other_thread.created_by,
        title="Theirs",
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=90),
    )
    response = api(member).post(
        threads_url(cohort), {"title": "x", "body": "y", "session": other_session.pk}
    )
    assert response.status_code == 400
    assert not Thread.objects.filter(title="x").exists()


def test_only_facilitators_announce(api, member, facilitator, cohort) -> None:
    refused = api(member).post(
        threads_url(cohort), {"title": "A", "body": "B", "announcement": True}
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == "forbidden"
    made = api(facilitator).post(
        threads_url(cohort), {"title": "Welcome", "body": "Hello all", "announcement": True}
    )
    assert made.status_code == 201
    assert made.json()["announcement"] is True


def test_blank_title_is_a_400_with_fields(api, member, cohort) -> None:
    response = api(member).post(threads_url(cohort), {"title": "", "body": "x"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "title" in response.json()["errors"]


def test_thread_list_shows_unread_and_pinned_first(api, member, peer, facilitator, cohort) -> None:
    older = thread_create(cohort=cohort, author=facilitator, title="Welcome", body="Hi")
    thread_set_flags(thread=older, by=facilitator, pinned=True)
    newer = thread_create(cohort=cohort, author=peer, title="Question", body="Anyone?")
    rows = api(member).get(threads_url(cohort)).json()["results"]
    assert [r["id"] for r in rows] == [older.pk, newer.pk]
    assert all(r["unread"] for r in rows)
    post_create(thread=newer, author=member, body="Me!")
    rows = {r["id"]: r for r in api(member).get(threads_url(cohort)).json()["results"]}
    assert rows[newer.pk]["unread"] is False
    assert rows[newer.pk]["url"].endswith(f"/cohorts/{cohort.slug}/threads/{newer.pk}/")


def test_thread_list_query_count_is_constant(
    api, member, peer, cohort, django_assert_max_num_queries
) -> None:
    client = api(member)
    thread_create(cohort=cohort, author=peer, title="T0", body="x")
    with CaptureQueriesContext(connection) as few:
        assert client.get(threads_url(cohort)).status_code == 200
    for n in range(1, 12):
        t = thread_create(cohort=cohort, author=peer, title=f"T{n}", body="x")
        post_create(thread=t, author=member, body="reply")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(threads_url(cohort))
    assert response.json()["count"] == 12


# --- posts ---------------------------------------------------------------------------------


def test_posts_carry_exactly_the_contract_fields_oldest_first(api, member, peer, thread) -> None:
    post_create(thread=thread, author=peer, body="Second, with <script>x</script> and *em*")
    rows = api(member).get(posts_url(thread)).json()["results"]
    assert [r["id"] for r in rows] == sorted(r["id"] for r in rows)
    assert len(rows) == 2
    for row in rows:
        assert set(row) >= POST_FIELDS
        assert set(row["author"]) == {"id", "name"}
        assert row["thread"] == thread.pk
    assert rows[1]["author"] == {"id": peer.pk, "name": "Pat Peer"}
    assert "<script" not in rows[1]["body_html"]
    assert "<em>em</em>" in rows[1]["body_html"]
    assert rows[1]["version"] == 1 and rows[1]["edited_at"] is None


def test_after_returns_only_newer_posts(api, member, peer, thread) -> None:
    first = thread.posts.get()
    made = [post_create(thread=thread, author=peer, body=f"n{i}")[0] for i in range(4)]
    client = api(member)
    rows = client.get(posts_url(thread), {"after": made[1].pk}).json()["results"]
    assert [r["id"] for r in rows] == [p.pk for p in made[2:]]
    rows = client.get(posts_url(thread), {"after": first.pk}).json()["results"]
    assert [r["id"] for r in rows] == [p.pk for p in made]
    assert client.get(posts_url(thread), {"after": made[-1].pk}).json()["results"] == []
    assert client.get(posts_url(thread), {"after": "abc"}).status_code == 400


def test_posts_are_paginated(api, member, peer, thread) -> None:
    for i in range(7):
        post_create(thread=thread, author=peer, body=f"n{i}")
    client = api(member)
    page1 = client.get(posts_url(thread), {"page_size": 5}).json()
    assert page1["count"] == 8 and len(page1["results"]) == 5 and page1["previous"] is None
    page2 = client.get(page1["next"]).json()
    assert len(page2["results"]) == 3 and page2["next"] is None
    ids = [r["id"] for r in page1["results"] + page2["results"]]
    assert ids == sorted(set(ids))


def test_post_list_query_count_is_constant(
    api, member, peer, thread, django_assert_max_num_queries
) -> None:
    client = api(member)
    with CaptureQueriesContext(connection) as few:
        client.get(posts_url(thread))
    for i in range(15):
        post, _ = post_create(thread=thread, author=peer if i % 2 else member, body=f"n{i}")
    from discussions.services import reaction_toggle

    reaction_toggle(post=post, user=member, kind="thanks")
    with django_assert_max_num_queries(len(few.captured_queries)):
        rows = client.get(posts_url(thread)).json()["results"]
    assert rows[-1]["reactions"] == {"thanks": 1}


def test_removed_posts_keep_their_place_without_text(
    api, member, peer, facilitator, thread
) -> None:
    post, _ = post_create(thread=thread, author=peer, body="Something unkind")
    post_hide(post=post, by=facilitator)
    rows = api(member).get(posts_url(thread)).json()["results"]
    hidden = next(r for r in rows if r["id"] == post.pk)
    assert hidden["hidden"] is True and hidden["body"] == "" and hidden["body_html"] == ""


def test_same_client_id_twice_makes_one_post(api, member, thread) -> None:
    client = api(member)
    key = str(uuid.uuid4())
    first = client.post(posts_url(thread), {"body": "Only once", "client_id": key})
    second = client.post(posts_url(thread), {"body": "Only once", "client_id": key})
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json() == second.json()
    assert thread.posts.filter(body="Only once").count() == 1


def test_the_same_client_id_from_another_author_is_another_post(api, member, peer, thread) -> None:
    key = str(uuid.uuid4())
    a = api(member).post(posts_url(thread), {"body": "Mine", "client_id": key})
    b = api(peer).post(posts_url(thread), {"body": "Mine", "client_id": key})
    assert (a.status_code, b.status_code) == (201, 201)
    assert a.json()["id"] != b.json()["id"]


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(key=st.uuids(), repeats=st.integers(min_value=2, max_value=4))
def test_repeated_submissions_make_one_post(api, member, thread, key, repeats) -> None:
    client = api(member)
    statuses = [
        client.post(posts_url(thread), {"body": f"Retry {key}", "client_id": str(key)}).status_code
        for _ in range(repeats)
    ]
    assert statuses[0] in (200, 201)  # 200 when hypothesis replays a key it already used
    assert set(statuses[1:]) == {200}
    assert Post.objects.filter(author=member, client_id=key).count() == 1


def test_reply_to_must_be_in_the_same_thread(api, member, thread, other_thread) -> None:
    client = api(member)
    first = thread.posts.get()
    ok = client.post(posts_url(thread), {"body": "> quoted\n\nAgreed", "reply_to": first.pk})
    assert ok.status_code == 201 and ok.json()["reply_to"] == first.pk
    bad = client.post(posts_url(thread), {"body": "x", "reply_to": other_thread.posts.get().pk})
    assert bad.status_code == 400


def test_a_locked_thread_refuses_posts_with_a_clear_message(
    api, member, facilitator, thread
) -> None:
    thread_set_flags(thread=thread, by=facilitator, locked=True)
    response = api(member).post(posts_url(thread), {"body": "Late"})
    assert response.status_code == 403
    assert response.json()["code"] == "locked"
    assert "locked" in response.json()["detail"]
    first = thread.posts.get()
    edit = api(member).patch(post_url(first), {"body": "Edit", "version": 1})
    assert edit.status_code == 403 and edit.json()["code"] == "locked"


def test_blank_post_is_refused(api, member, thread) -> None:
    response = api(member).post(posts_url(thread), {"body": "   "})
    assert response.status_code == 400


# --- versioned edit ------------------------------------------------------------------------


def test_edit_bumps_the_version(api, member, thread) -> None:
    first = thread.posts.get()
    response = api(member).patch(post_url(first), {"body": "Better words", "version": 1})
    assert response.status_code == 200
    data = response.json()
    assert (data["body"], data["version"]) == ("Better words", 2)
    assert data["edited_at"] is not None


def test_stale_edit_is_409_with_the_current_post_and_overwrites_nothing(
    api, member, thread
) -> None:
    first = thread.posts.get()
    client = api(member)
    assert client.patch(post_url(first), {"body": "Version two", "version": 1}).status_code == 200
    stale = client.patch(post_url(first), {"body": "From an old tab", "version": 1})
    assert stale.status_code == 409
    data = stale.json()
    assert data["code"] == "stale_version"
    assert data["detail"]
    assert data["current"]["body"] == "Version two"
    assert data["current"]["version"] == 2
    assert set(data["current"]) >= POST_FIELDS
    first.refresh_from_db()
    assert (first.body, first.version) == ("Version two", 2)


def test_edit_needs_a_version(api, member, thread) -> None:
    response = api(member).patch(post_url(thread.posts.get()), {"body": "x"})
    assert response.status_code == 400
    assert "version" in response.json()["errors"]


def test_schema_is_valid() -> None:
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")
