"""A 404 says the same thing whether the page is missing or only hidden from the viewer,
with DEBUG on as well as off, and it carries the site's security headers."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from cohorts.models import Cohort
from discussions.models import Thread

_TOKEN_RE = re.compile(r'(csrf-token" content="|csrfmiddlewaretoken" value="|nonce=")[^"]*"')


def _body(response: Any) -> str:
    """The page with its per-request tokens (CSRF, CSP nonces) blanked out."""
    assert response.status_code == 404
    return _TOKEN_RE.sub(r'\1"', response.content.decode())


def _pairs(thread: Thread, other_thread: Thread, draft: Cohort) -> list[tuple[str, str]]:
    """(hidden from the member, missing altogether) URL pairs."""
    other = other_thread.cohort.slug
    mine = thread.cohort.slug
    return [
        # A draft proposal of someone else's, and a slug nobody uses.
        (reverse("cohorts:detail", args=[draft.slug]), reverse("cohorts:detail", args=["nope"])),
        # get_object_or_404 followed by a permission check, the pair the probe found.
        (
            reverse("participation:cohort", args=[other]),
            reverse("participation:cohort", args=["nope"]),
        ),
        (reverse("discussions:list", args=[other]), reverse("discussions:list", args=["nope"])),
        # Another cohort's thread, and a thread id that does not exist.
        (
            reverse("discussions:thread", args=[other, other_thread.pk]),
            reverse("discussions:thread", args=[other, other_thread.pk + 1000]),
        ),
        (
            reverse("discussions:thread", args=[mine, other_thread.pk]),
            reverse("discussions:thread", args=[mine, other_thread.pk + 1000]),
        ),
        # The API, for the same things.
        (
            reverse("api:cohort-sessions", args=[other]),
            reverse("api:cohort-sessions", args=["nope"]),
        ),
        (
            reverse("api:cohort-threads", args=[other]),
            reverse("api:cohort-threads", args=["nope"]),
        ),
        (
            reverse("api:thread-posts", args=[other_thread.pk]),
            reverse("api:thread-posts", args=[other_thread.pk + 1000]),
        ),
    ]


@pytest.fixture
def draft(make_cohort: Callable[..., Cohort], make_user: Callable[..., User]) -> Cohort:
    return make_cohort(by=make_user(name="Dana Drafter"), title="Not public yet", state="draft")


@pytest.mark.parametrize("debug", [True, False], ids=["debug", "production"])
def test_hidden_and_missing_pages_answer_the_same_404(
    settings: Any,
    debug: bool,
    thread: Thread,
    other_thread: Thread,
    draft: Cohort,
    member: User,
    client_for: Callable[[User | None], Client],
) -> None:
    settings.DEBUG = debug
    client = client_for(member)
    for hidden, missing in _pairs(thread, other_thread, draft):
        assert _body(client.get(hidden)) == _body(client.get(missing)), hidden
    post = other_thread.posts.first().pk
    hidden, missing = (reverse("api:post", args=[pk]) for pk in (post, post + 1000))
    edit: dict[str, Any] = {"data": {"body": "Mine now"}, "content_type": "application/json"}
    assert _body(client.patch(hidden, **edit)) == _body(client.patch(missing, **edit))


def test_a_404_in_debug_is_the_sites_own_page_with_its_csp(
    settings: Any, member: User, client_for: Callable[[User | None], Client]
) -> None:
    settings.DEBUG = True
    client = client_for(member)
    for url in ("/cohorts/nope/", "/no/such/page/"):
        response = client.get(url)
        assert response.status_code == 404
        assert "find that page" in response.content.decode(), url
        assert "default-src 'self'" in response["Content-Security-Policy"], url


def test_a_404_from_the_api_in_debug_is_the_uniform_json(
    settings: Any, member: User, client_for: Callable[[User | None], Client]
) -> None:
    settings.DEBUG = True
    response = client_for(member).get("/api/v1/cohorts/nope/sessions/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}
