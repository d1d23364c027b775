"""The discussion pages with plain HTML forms (no JavaScript): posting, idempotent retry,
no JSON answers (thread.js writes through the REST API), editing with a stale version,
history, delete/restore, hide, reactions, follow/mute, pin/lock, new threads."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from discussions.models import Post, Reaction, Thread, ThreadSubscription
from discussions.services import post_edit, thread_set_flags

pytestmark = pytest.mark.django_db


def _url(name: str, thread: Thread, *extra: int) -> str:
    return reverse(f"discussions:{name}", args=[thread.cohort.slug, thread.pk, *extra])


def test_a_member_posts_a_reply_with_a_plain_form_and_lands_on_it(
    thread: Thread, peer: User, client_for: Callable[..., Client]
) -> None:
    client = client_for(peer)
    page = client.get(thread.get_absolute_url())
    client_id = page.context["form"]["client_id"].value()
    response = client.post(_url("post", thread), {"body": "I *loved* it", "client_id": client_id})
    post = Post.objects.get(author=peer)
    assert response.status_code == 302
    assert response["Location"] == f"{thread.get_absolute_url()}#post-{post.pk}"
    assert "<em>loved</em>" in client.get(thread.get_absolute_url()).content.decode()


def test_resubmitting_the_same_form_posts_once(
    thread: Thread, peer: User, client_for: Callable[..., Client]
) -> None:
    client = client_for(peer)
    data = {"body": "Only once please", "client_id": str(uuid.uuid4())}
    client.post(_url("post", thread), data)
    client.post(_url("post", thread), data)
    assert Post.objects.filter(body="Only once please").count() == 1


def test_each_render_of_the_thread_page_offers_a_fresh_client_id(
    thread: Thread, peer: User, client_for: Callable[..., Client]
) -> None:
    client = client_for(peer)
    first = client.get(thread.get_absolute_url()).context["form"]["client_id"].value()
    second = client.get(thread.get_absolute_url()).context["form"]["client_id"].value()
    assert first and second and first != second


def test_the_post_view_answers_the_page_not_json_even_when_json_is_asked_for(
    thread: Thread, peer: User, client_for: Callable[..., Client]
) -> None:
    client = client_for(peer)
    data = {"body": "From the script", "client_id": str(uuid.uuid4())}
    first = client.post(_url("post", thread), data, HTTP_ACCEPT="application/json")
    again = client.post(_url("post", thread), data, HTTP_ACCEPT="application/json")
    post = Post.objects.get(body="From the script")
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"] == f"{thread.get_absolute_url()}#post-{post.pk}"


def test_an_empty_post_re_renders_with_an_error(
    thread: Thread, peer: User, client_for: Callable[..., Client]
) -> None:
    response = client_for(peer).post(_url("post", thread), {"body": "   "})
    assert response.status_code == 400
    assert thread.posts.count() == 1
    asked_json = client_for(peer).post(
        _url("post", thread), {"body": ""}, HTTP_ACCEPT="application/json"
    )
    assert asked_json.status_code == 400
    assert asked_json["Content-Type"].startswith("text/html")
    assert 'name="body"' in asked_json.content.decode()


def test_posting_to_a_locked_thread_is_refused_with_a_clear_message_keeping_the_text(
    thread: Thread, peer: User, facilitator: User, client_for: Callable[..., Client]
) -> None:
    client = client_for(peer)
    page = client.get(thread.get_absolute_url())
    thread_set_flags(thread=thread, by=facilitator, locked=True)
    response = client.post(
        _url("post", thread),
        {"body": "My long careful reply", "client_id": page.context["form"]["client_id"].value()},
    )
    content = response.content.decode()
    assert "This thread is locked: no new posts can be added." in content
    assert "My long careful reply" in content  # what they typed is not lost
    assert thread.posts.count() == 1
    asked_json = client.post(
        _url("post", thread), {"body": "Still mine"}, HTTP_ACCEPT="application/json"
    )
    assert asked_json["Content-Type"].startswith("text/html")
    assert "Still mine" in asked_json.content.decode()
    page = client.get(thread.get_absolute_url()).content.decode()
    assert "This thread is locked" in page and 'name="body"' not in page


def test_reply_and_quote_links_prefill_the_composer(
    thread: Thread, peer: User, client_for: Callable[..., Client]
) -> None:
    first = thread.posts.first()
    client = client_for(peer)
    page = client.get(thread.get_absolute_url(), {"reply_to": first.pk, "quote": "1"})
    form = page.context["form"]
    assert form["reply_to"].value() == first.pk
    assert form["body"].value().startswith("> **Mei Member** wrote:\n> What did you think?")
    client.post(
        _url("post", thread), {"body": "Agreed", "reply_to": first.pk, "client_id": uuid.uuid4()}
    )
    reply = Post.objects.get(body="Agreed")
    assert reply.reply_to == first
    assert "In reply to" in client.get(thread.get_absolute_url()).content.decode()


def test_the_author_edits_and_the_history_shows_the_old_text(
    thread: Thread, member: User, client_for: Callable[..., Client]
) -> None:
    post = thread.posts.first()
    client = client_for(member)
    form = client.get(_url("edit", thread, post.pk)).context["form"]
    assert form["version"].value() == 1
    response = client.post(_url("edit", thread, post.pk), {"body": "Better words", "version": 1})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.body == "Better words" and post.version == 2
    page = client.get(thread.get_absolute_url()).content.decode()
    assert _url("history", thread, post.pk) in page
    history = client.get(_url("history", thread, post.pk)).content.decode()
    assert "Better words" in history and "What did you think?" in history


def test_a_stale_edit_shows_both_texts_and_overwrites_nothing(
    thread: Thread, member: User, client_for: Callable[..., Client]
) -> None:
    post = thread.posts.first()
    client = client_for(member)
    client.get(_url("edit", thread, post.pk))  # opened the form at version 1
    post_edit(post=post, by=member, body="Changed in another tab", version=1)
    response = client.post(
        _url("edit", thread, post.pk), {"body": "My edit from the old form", "version": 1}
    )
    assert response.status_code == 409
    content = response.content.decode()
    assert "Changed in another tab" in content
    assert "My edit from the old form" in content
    assert "Someone changed this post while you were editing it." in content
    post.refresh_from_db()
    assert post.body == "Changed in another tab"
    # The re-rendered form is based on the version that stands now: resubmitting is a
    # deliberate choice, and then it goes through.
    assert response.context["form"]["version"].value() == 2
    client.post(_url("edit", thread, post.pk), {"body": "Merged text", "version": 2})
    post.refresh_from_db()
    assert post.body == "Merged text" and post.version == 3


def test_the_author_deletes_and_restores(
    thread: Thread, member: User, peer: User, client_for: Callable[..., Client]
) -> None:
    post = thread.posts.first()
    client = client_for(member)
    client.post(_url("delete", thread, post.pk))
    post.refresh_from_db()
    assert post.deleted_at is not None
    seen_by_peer = client_for(peer).get(thread.get_absolute_url()).content.decode()
    assert "What did you think?" not in seen_by_peer
    assert "This post was deleted by its author." in seen_by_peer
    assert _url("restore", thread, post.pk) not in seen_by_peer
    own = client.get(thread.get_absolute_url()).content.decode()
    assert _url("restore", thread, post.pk) in own
    client.post(_url("restore", thread, post.pk))
    post.refresh_from_db()
    assert post.deleted_at is None


def test_a_facilitator_hides_and_restores_and_the_author_cannot_undo_the_hide(
    thread: Thread, member: User, facilitator: User, client_for: Callable[..., Client]
) -> None:
    post = thread.posts.first()
    fac = client_for(facilitator)
    fac.post(_url("hide", thread, post.pk))
    post.refresh_from_db()
    assert post.hidden_at is not None
    author_view = client_for(member).get(thread.get_absolute_url()).content.decode()
    assert "This post was hidden by a facilitator." in author_view
    response = client_for(member).post(_url("restore", thread, post.pk), follow=True)
    assert b"Only facilitators can restore a hidden post." in response.content
    fac.post(_url("restore", thread, post.pk))
    post.refresh_from_db()
    assert post.hidden_at is None


def test_reactions_toggle_and_show_counts(
    thread: Thread, member: User, peer: User, client_for: Callable[..., Client]
) -> None:
    post = thread.posts.first()
    client = client_for(peer)
    client.post(_url("react", thread, post.pk), {"kind": "thanks"})
    client_for(member).post(_url("react", thread, post.pk), {"kind": "thanks"})
    assert Reaction.objects.filter(post=post, kind="thanks").count() == 2
    page = client.get(thread.get_absolute_url())
    button = next(b for b in page.context["posts"][0].reaction_buttons if b.kind == "thanks")
    assert button.count == 2 and button.mine
    assert 'aria-pressed="true" data-kind="thanks"' in page.content.decode()
    client.post(_url("react", thread, post.pk), {"kind": "thanks"})
    assert Reaction.objects.filter(post=post, kind="thanks").count() == 1
    bad = client.post(_url("react", thread, post.pk), {"kind": "boo"}, follow=True)
    assert b"Unknown reaction." in bad.content


def test_follow_mute_and_back_to_default(
    thread: Thread, peer: User, client_for: Callable[..., Client]
) -> None:
    client = client_for(peer)
    sub = ThreadSubscription.objects.filter(user=peer, thread=thread)
    client.post(_url("follow", thread), {"level": "following"})
    assert sub.get().level == "following"
    client.post(_url("follow", thread), {"level": "muted"})
    assert sub.get().level == "muted"
    page = client.get(thread.get_absolute_url()).content.decode()
    assert 'value="muted" class="button--small" aria-pressed="true"' in page
    client.post(_url("follow", thread), {"level": "default"})
    assert not sub.exists()


def test_a_facilitator_pins_and_locks(
    thread: Thread, facilitator: User, client_for: Callable[..., Client]
) -> None:
    client = client_for(facilitator)
    client.post(_url("flags", thread), {"pinned": "1"})
    client.post(_url("flags", thread), {"locked": "1"})
    thread.refresh_from_db()
    assert thread.pinned and thread.locked
    client.post(_url("flags", thread), {"locked": "0"})
    thread.refresh_from_db()
    assert thread.pinned and not thread.locked


def test_a_member_starts_a_thread_and_only_facilitators_may_announce(
    cohort, peer: User, facilitator: User, client_for: Callable[..., Client]
) -> None:
    url = reverse("discussions:new", args=[cohort.slug])
    client = client_for(peer)
    form = client.get(url).context["form"]
    assert "announcement" not in form.fields
    response = client.post(
        url, {"title": "Site visits", "body": "Who has tips?", "announcement": "on"}
    )
    made = Thread.objects.get(title="Site visits")
    assert response["Location"] == made.get_absolute_url()
    assert not made.announcement and made.post_count == 1
    fac = client_for(facilitator)
    assert "announcement" in fac.get(url).context["form"].fields
    fac.post(url, {"title": "Welcome", "body": "Hello all", "announcement": "on"})
    assert Thread.objects.get(title="Welcome").announcement


def test_a_new_thread_without_a_title_keeps_what_was_typed(
    cohort, peer: User, client_for: Callable[..., Client]
) -> None:
    url = reverse("discussions:new", args=[cohort.slug])
    response = client_for(peer).post(url, {"title": "", "body": "A long first post"})
    assert response.status_code == 200
    assert "A long first post" in response.content.decode()
    assert not Thread.objects.filter(cohort=cohort).exists()
