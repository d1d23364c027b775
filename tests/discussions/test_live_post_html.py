"""A post that arrives live has one shape: the post partial rendered once on the server,
the same in the socket's event and in the REST API's answer, and the same for every reader
(no CSRF token, nothing marked as the viewer's; the controls a viewer may or may not use
carry ``data-for`` for thread.js)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.utils import timezone

from accounts.models import User
from discussions import selectors
from discussions.models import Post, Thread
from discussions.services import post_create, post_edit, reaction_toggle
from discussions.services import posts as post_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []
    monkeypatch.setattr(
        post_services, "publish_on_commit", lambda group, message: sent.append(message)
    )
    return sent


def _block(html: str, css_class: str) -> str:
    found = re.search(rf'<(\w+) class="{css_class}"[^>]*>.*?</\1>', html, re.S)
    assert found, f"no {css_class} in {html}"
    return found.group(0)


def test_the_post_created_event_carries_the_post_partial_rendered_for_no_one_in_particular(
    published: list[dict[str, Any]], thread: Thread, member: User, peer: User
) -> None:
    first = thread.posts.get()
    with timezone.override("Pacific/Auckland"):  # the poster's zone must not leak into it
        post, _ = post_create(thread=thread, author=peer, body="I *agree* <b>x</b>", reply_to=first)
    event = published[-1]
    assert event["type"] == "post.created"
    html = event["post"]["html"]

    # The server's partial, rendered for a live post with nobody's reactions marked.
    post.reaction_buttons = selectors.empty_reaction_buttons()
    with timezone.override("UTC"):
        partial = render_to_string(
            "discussions/_post.html",
            {"post": post, "thread": thread, "cohort": thread.cohort, "live": True},
        ).strip()
    assert html == partial
    assert html.startswith(f'<li id="post-{post.pk}"') and f'data-author-id="{peer.pk}"' in html
    assert "<em>agree</em>" in html and "<b>" not in html  # sanitised Markdown
    assert re.search(r'<time datetime="[^"]+\+00:00">', html)  # thread.js localises it

    # Nothing in it belongs to a viewer.
    assert "csrfmiddlewaretoken" not in html
    assert "reaction--mine" not in html and 'aria-pressed="true"' not in html
    assert "badge--unread" not in html and "Restore" not in html
    # Every control that depends on who looks is marked for the page's script.
    assert 'class="post__reply" data-for="poster">Reply<span class="visually-hidden">' in html
    assert 'class="post__quote" data-for="poster">Quote<span class="visually-hidden">' in html
    assert 'data-for="author">Edit<span class="visually-hidden"> your post</span></a>' in html
    assert re.search(r'/delete/" class="inline-form" data-for="author">', html)
    assert re.search(r'/hide/" class="inline-form" data-for="moderator">', html)
    assert '<details class="reaction-picker" data-for="member">' in html


def test_the_event_the_api_and_the_page_show_the_same_post(
    published: list[dict[str, Any]],
    thread: Thread,
    member: User,
    peer: User,
    client_for: Callable[..., Client],
) -> None:
    post, _ = post_create(thread=thread, author=peer, body="Shared *text*")
    reaction_toggle(post=post, user=member, kind="thanks")
    post = post_edit(post=post, by=peer, body="Shared *text*, edited", version=post.version)
    event = published[-1]
    assert event["type"] == "post.updated"

    api = client_for(member).get(f"/api/v1/threads/{thread.pk}/posts/?after={post.pk - 1}")
    assert api.json()["results"][0]["html"] == event["post"]["html"]
    answer = client_for(peer).post(
        f"/api/v1/threads/{thread.pk}/posts/",
        {"body": "Another one"},
        content_type="application/json",
    )
    created = Post.objects.get(body="Another one")
    assert answer.status_code == 201
    assert answer.json()["html"] == published[-1]["post"]["html"]
    assert answer.json()["html"].startswith(f'<li id="post-{created.pk}"')

    # The page renders the same partial for its viewer: the same body and "edited" link.
    page = client_for(member).get(thread.get_absolute_url()).content.decode()
    mine = page[page.index(f'<li id="post-{post.pk}"') :]
    live = event["post"]["html"]
    assert _block(mine, "post__body prose") == _block(live, "post__body prose")
    assert _block(mine, "post__edited meta") == _block(live, "post__edited meta")
    # The reaction counts are everyone's; only the page marks the viewer's own.
    assert 'data-kind="thanks"' in live and "reaction--mine" not in live
    assert "reaction--mine" in mine
