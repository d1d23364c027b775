"""The same refusal answers the same status from the REST API and the HTML page (asked for
JSON or not: the page answers only HTML since the script writes through the API): each
takes it from core.errors.status_for."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from core.errors import status_for
from discussions.models import Post, Thread
from discussions.services import post_create, post_delete, post_edit, thread_set_flags

pytestmark = pytest.mark.django_db


def _page_url(name: str, thread: Thread, *extra: int) -> str:
    return reverse(f"discussions:{name}", args=[thread.cohort.slug, thread.pk, *extra])


def _api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _three_answers(thread: Thread, user: User, client: Client) -> list[tuple[int, str | None]]:
    """A new post, sent by the API, by a client asking the page for JSON, and by the form."""
    api = _api(user).post(
        f"/api/v1/threads/{thread.pk}/posts/",
        {"body": "Sent by the API", "client_id": str(uuid.uuid4())},
        format="json",
    )
    as_json = client.post(
        _page_url("post", thread),
        {"body": "Sent by the script", "client_id": str(uuid.uuid4())},
        HTTP_ACCEPT="application/json",
    )
    page = client.post(
        _page_url("post", thread), {"body": "Sent by the form", "client_id": str(uuid.uuid4())}
    )
    return [
        (api.status_code, api.json()["code"]),
        (as_json.status_code, None if as_json["Content-Type"].startswith("text/html") else "json"),
        (page.status_code, None),
    ]


def test_a_locked_thread_refuses_a_post_with_403_from_every_transport(
    thread: Thread, peer: User, facilitator: User, client_for: Callable[..., Client]
) -> None:
    thread_set_flags(thread=thread, by=facilitator, locked=True)
    answers = _three_answers(thread, peer, client_for(peer))
    assert answers == [(403, "locked"), (403, None), (403, None)]
    assert status_for("locked") == 403
    assert thread.posts.count() == 1


def test_a_reader_who_may_not_post_is_refused_with_403_from_every_transport(
    thread: Thread, staff: User, client_for: Callable[..., Client]
) -> None:
    answers = _three_answers(thread, staff, client_for(staff))
    assert answers == [(403, "forbidden"), (403, None), (403, None)]
    assert thread.posts.count() == 1


def test_a_stale_edit_is_the_same_conflict_from_the_api_and_the_page(
    thread: Thread, member: User, client_for: Callable[..., Client]
) -> None:
    post = thread.posts.first()
    post_edit(post=post, by=member, body="Changed in another tab", version=1)
    api = _api(member).patch(
        f"/api/v1/posts/{post.pk}/", {"body": "From the API", "version": 1}, format="json"
    )
    page = client_for(member).post(
        _page_url("edit", thread, post.pk), {"body": "From the page", "version": 1}
    )
    assert api.status_code == page.status_code == status_for(api.json()["code"]) == 409
    post.refresh_from_db()
    assert post.body == "Changed in another tab"


def test_restoring_too_late_answers_the_tables_status_for_expired(
    thread: Thread, peer: User, client_for: Callable[..., Client]
) -> None:
    post, _ = post_create(thread=thread, author=peer, body="Gone for good")
    post_delete(post=post, by=peer)
    Post.objects.filter(pk=post.pk).update(deleted_at=timezone.now() - timedelta(days=31))
    response = client_for(peer).post(
        _page_url("restore", thread, post.pk), HTTP_ACCEPT="application/json"
    )
    assert response.status_code == status_for("expired") == 410
    assert response.json() == {
        "detail": "Posts can be restored for 30 days only.",
        "code": "expired",
    }
