"""The composer's Markdown preview: rendered and sanitised by the server (the same renderer
as a saved post), only for people who may post in the cohort, CSRF-protected, at most a
post's size, and limited per person and day."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from cohorts.models import Cohort
from discussions import views
from discussions.models import POST_MAX
from tests.helpers import clear_cache


@pytest.fixture(autouse=True)
def _fresh_allowances() -> None:
    clear_cache()


def _url(cohort: Cohort) -> str:
    return reverse("discussions:preview", args=[cohort.slug])


def test_the_preview_renders_markdown_and_strips_what_is_unsafe(
    cohort: Cohort, member: User, client_for: Callable[..., Client]
) -> None:
    body = (
        "**bold** and [a link](javascript:alert(1))\n\n"
        "<script>alert(1)</script><img src=x onerror=alert(1)>"
    )
    answer = client_for(member).post(_url(cohort), {"body": body}, HTTP_ACCEPT="application/json")
    assert answer.status_code == 200
    html = answer.json()["html"]
    assert "<strong>bold</strong>" in html
    # Raw HTML stays text, and the javascript: link is not a link.
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;" in html


def test_the_preview_refuses_more_than_a_post_can_hold(
    cohort: Cohort, member: User, client_for: Callable[..., Client]
) -> None:
    answer = client_for(member).post(_url(cohort), {"body": "x" * (POST_MAX + 1)})
    assert answer.status_code == 400
    assert answer.json()["detail"] == f"A post can be at most {POST_MAX} characters."


def test_the_preview_is_limited_per_person_and_day(
    cohort: Cohort, member: User, client_for: Callable[..., Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "PREVIEW_PER_DAY", 2)
    client = client_for(member)
    codes = [client.post(_url(cohort), {"body": "hi"}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert "Too many previews today" in client.post(_url(cohort), {"body": "hi"}).json()["detail"]


@pytest.mark.parametrize("who", ["anonymous", "outsider", "removed"])
def test_only_people_who_may_post_in_the_cohort_can_preview(
    who: str, cohort: Cohort, roles: dict[str, User | None], client_for: Callable[..., Client]
) -> None:
    answer = client_for(roles[who]).post(_url(cohort), {"body": "hi"})
    assert answer.status_code in (302, 403, 404)
    assert b"<p>hi</p>" not in answer.content


def test_the_preview_needs_the_csrf_token(cohort: Cohort, member: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    assert client.post(_url(cohort), {"body": "hi"}).status_code == 403


def test_the_preview_only_answers_a_post(
    cohort: Cohort, member: User, client_for: Callable[..., Client]
) -> None:
    assert client_for(member).get(_url(cohort)).status_code == 405
