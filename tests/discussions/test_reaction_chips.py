"""Reaction chips say what they mean to a screen reader and in a tooltip, and reacting from
the page's script answers the counts and the viewer's own reactions (no reload)."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client
from django.urls import reverse

from accounts.models import User
from cohorts.models import Cohort
from discussions.models import Thread
from discussions.services import post_create, reaction_toggle


def test_a_chip_has_a_spoken_summary_and_a_tooltip(
    cohort: Cohort, thread: Thread, member: User, peer: User, client_for: Callable[..., Client]
) -> None:
    post = thread.posts.get()
    reaction_toggle(post=post, user=member, kind="thanks")
    reaction_toggle(post=post, user=peer, kind="thanks")
    page = client_for(member).get(thread.get_absolute_url()).content.decode()
    assert 'title="Thanks, 2 people, including you"' in page
    spoken = '<span class="reaction__label visually-hidden">Thanks, 2 people, including you</span>'
    assert spoken in page
    other = client_for(peer).get(thread.get_absolute_url()).content.decode()
    assert 'title="Thanks, 2 people, including you"' in other
    reaction_toggle(post=post, user=member, kind="thanks")
    alone = client_for(member).get(thread.get_absolute_url()).content.decode()
    assert 'title="Thanks, 1 person"' in alone


def test_reacting_with_json_answers_the_counts_and_my_reactions(
    cohort: Cohort, thread: Thread, member: User, peer: User, client_for: Callable[..., Client]
) -> None:
    post = thread.posts.get()
    reaction_toggle(post=post, user=peer, kind="agree")
    url = reverse("discussions:react", args=[cohort.slug, thread.pk, post.pk])
    answer = client_for(member).post(url, {"kind": "agree"}, HTTP_ACCEPT="application/json")
    data = answer.json()
    assert data["on"] is True
    assert data["counts"]["agree"] == 2 and data["counts"]["thanks"] == 0
    assert data["mine"] == ["agree"]


def test_reacting_without_javascript_still_returns_to_the_post(
    cohort: Cohort, thread: Thread, member: User, client_for: Callable[..., Client]
) -> None:
    post = thread.posts.get()
    url = reverse("discussions:react", args=[cohort.slug, thread.pk, post.pk])
    answer = client_for(member).post(url, {"kind": "thanks"})
    assert answer.status_code == 302 and answer["Location"].endswith(f"#post-{post.pk}")


def test_a_quote_reply_shows_the_quote_and_not_also_the_in_reply_to_line(
    thread: Thread, member: User, peer: User, client_for: Callable[..., Client]
) -> None:
    first = thread.posts.get()
    post_create(
        thread=thread, author=peer, body="> **Mei Member** wrote:\n> What?\n\nThis.", reply_to=first
    )
    post_create(thread=thread, author=peer, body="A plain reply.", reply_to=first)
    page = client_for(member).get(thread.get_absolute_url()).content.decode()
    assert page.count('class="post__reply-to meta"') == 1
    assert page.count("<blockquote>") == 1
