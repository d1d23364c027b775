"""The thread page's post cache (discussions/post_cache.py): a page built from cached,
viewer-neutral fragments is the page the plain template renders, for every kind of reader
and every state a post can be in; a changed post is never served from its old entry; and
the page's queries do not grow with the thread."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from cohorts.models import Cohort, Membership
from discussions import post_actions, post_cache
from discussions.models import Post, ReadState, Thread
from discussions.services import (
    post_create,
    post_delete,
    post_edit,
    post_hide,
    reaction_toggle,
    thread_set_flags,
)

pytestmark = pytest.mark.django_db

_TOKENS = re.compile(
    r'(name="(?:csrfmiddlewaretoken|client_id)" value="|name="csrf-token"\s+content=")[^"]*(")'
)


def _normal(html: str) -> str:
    """The page without what differs on every render (CSRF masks, the composer's id)."""
    return _TOKENS.sub(r"\1…\2", html)


def _posts_of(html: str) -> str:
    found = re.search(r'<ol id="posts".*?</ol>', html, re.S)
    assert found, "no post list on the page"
    return found.group(0)


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The ids of the posts whose fragment was rendered (a cache miss), in order."""
    made: list[int] = []
    real = post_cache._render_fragment

    def counting(post: Any) -> str:
        made.append(post.pk)
        return real(post)

    monkeypatch.setattr(post_cache, "_render_fragment", counting)
    return made


@pytest.fixture
def bookmark() -> Iterator[None]:
    """An action another app offers every reader on every visible post (with characters
    that must be escaped), beside the journals' "Use as evidence" for the author."""

    def offer(user: Any, post: Any) -> post_actions.PostAction | None:
        if not post.is_visible:
            return None
        return {"label": f"Keep <{user.pk}> & share", "url": f"/keep/?post={post.pk}&by=x"}

    post_actions.register_post_action("tests.keep", offer)
    yield
    post_actions.unregister_post_action("tests.keep")


@pytest.fixture
def alumna(make_user: Callable[..., User], cohort: Cohort, seat: Callable[..., Membership]) -> User:
    person = make_user("alumna@example.org", name="Ada Alumna")
    membership = seat(cohort, person)
    Membership.objects.filter(pk=membership.pk).update(status=Membership.Status.ALUMNI)
    return person


@pytest.fixture
def busy(
    thread: Thread,
    member: User,
    peer: User,
    facilitator: User,
    make_user: Callable[..., User],
    seat: Callable[..., Membership],
    bookmark: None,
) -> dict[str, Post]:
    """A thread with a post in every state: plain, edited, reply, quoting reply, with
    reactions (the member's among them), deleted, hidden, by a deleted account, and one
    whose text looks like a cache marker."""
    member.time_zone = "Pacific/Auckland"
    member.save(update_fields=["time_zone"])
    gone = make_user(name="Gone Soon")
    seat(thread.cohort, gone)
    first = thread.posts.get()
    posts: dict[str, Post] = {"opening": first}
    posts["plain"], _ = post_create(thread=thread, author=peer, body="A *plain* reply.")
    posts["edited"], _ = post_create(thread=thread, author=member, body="Before the edit")
    post_edit(post=posts["edited"], by=member, body="After the **edit**", version=1)
    posts["reply"], _ = post_create(
        thread=thread, author=facilitator, body="Answering you", reply_to=posts["plain"]
    )
    posts["quote"], _ = post_create(
        thread=thread,
        author=peer,
        body="> **Mei Member** wrote:\n> After the edit\n\nQuite so.",
        reply_to=posts["edited"],
    )
    posts["reacted"], _ = post_create(thread=thread, author=peer, body="React to this")
    reaction_toggle(post=posts["reacted"], user=member, kind="thanks")
    reaction_toggle(post=posts["reacted"], user=peer, kind="thanks")
    reaction_toggle(post=posts["reacted"], user=facilitator, kind="agree")
    reaction_toggle(post=posts["reply"], user=member, kind="agree")
    posts["deleted"], _ = post_create(thread=thread, author=member, body="Regrettable words")
    post_delete(post=posts["deleted"], by=member)
    posts["hidden"], _ = post_create(thread=thread, author=peer, body="Off-topic rant")
    post_hide(post=posts["hidden"], by=facilitator)
    posts["orphan"], _ = post_create(thread=thread, author=gone, body="From someone gone")
    Post.objects.filter(pk=posts["orphan"].pk).update(author=None)
    mark = post_cache.open_mark(f"restore {first.pk}")
    posts["marker"], _ = post_create(
        thread=thread, author=member, body=f"Text that looks like a marker: `{mark}` {mark}"
    )
    posts["reply_to_removed"], _ = post_create(
        thread=thread, author=facilitator, body="About that rant", reply_to=posts["hidden"]
    )
    # The peer has read up to the quoting reply: the rest of the page is new to them.
    ReadState.objects.filter(thread=thread, user=peer).update(last_read_post_id=posts["quote"].pk)
    return posts


VIEWERS = ["member", "peer", "facilitator", "staff", "alumna", "locked"]


def _viewer(request: pytest.FixtureRequest, kind: str, thread: Thread) -> User:
    if kind == "locked":
        thread_set_flags(thread=thread, by=request.getfixturevalue("facilitator"), locked=True)
        return request.getfixturevalue("member")
    return request.getfixturevalue(kind)


@pytest.mark.parametrize("kind", VIEWERS)
def test_the_cached_page_is_the_plain_page_for_every_reader_and_post_state(
    request: pytest.FixtureRequest,
    kind: str,
    busy: dict[str, Post],
    thread: Thread,
    signed_in: Callable[[User], Client],
    settings: Any,
    renders: list[int],
) -> None:
    viewer = _viewer(request, kind, thread)
    client = signed_in(viewer)
    url = thread.get_absolute_url()
    settings.POST_HTML_CACHE = False
    plain = _normal(client.get(url).content.decode())
    settings.POST_HTML_CACHE = True
    cold = _normal(client.get(url).content.decode())
    assert len(renders) == len(busy)
    warm = _normal(client.get(url).content.decode())
    assert len(renders) == len(busy)  # the second page rendered nothing
    assert _posts_of(cold) == _posts_of(plain)
    assert cold == plain
    assert warm == plain
    assert "pccsrf" not in warm and "<!--pc" not in warm.replace("&lt;!--pc", "")


def test_the_readers_see_what_is_theirs_and_nothing_else(
    request: pytest.FixtureRequest,
    busy: dict[str, Post],
    thread: Thread,
    member: User,
    peer: User,
    staff: User,
    signed_in: Callable[[User], Client],
) -> None:
    """What the equality above covers, shown on the page: a check that the page differs by
    viewer at all (a page that ignored the viewer could equal itself)."""
    url = thread.get_absolute_url()
    pages = {who.pk: signed_in(who).get(url).content.decode() for who in (member, peer, staff)}
    mine = pages[member.pk]
    reacted = busy["reacted"].pk
    assert 'aria-pressed="true" data-kind="thanks"' in mine
    assert "Thanks, 2 people, including you" in mine
    assert 'name="csrfmiddlewaretoken" value="' in _li(mine, reacted)
    assert mine.count("Use as evidence") >= 2  # the member's own visible posts only
    assert f"Keep &lt;{member.pk}&gt; &amp; share" in mine
    assert f"/keep/?post={reacted}&amp;by=x" in mine
    theirs = pages[peer.pk]
    assert "Use as evidence" in theirs and "including you" in theirs
    assert f'id="post-{busy["reacted"].pk}" tabindex="-1" class="post post--first-unread"' in (
        theirs
    )
    assert theirs.count('class="badge badge--unread"') == 1
    assert mine.count("post--first-unread") == 1
    assert f'id="post-{busy["reply_to_removed"].pk}" tabindex="-1" class="post post--first' in mine
    reader = pages[staff.pk]
    assert "Restore<" not in reader and ">Hide<" not in reader
    assert 'class="post__reply"' not in reader
    assert 'class="reaction-picker"' not in reader and "aria-pressed" not in reader
    assert "Regrettable words" not in reader and "Off-topic rant" not in reader


def _get(client: Client, thread: Thread) -> str:
    return client.get(thread.get_absolute_url()).content.decode()


def test_a_warm_page_shows_each_change_after_edit_hide_delete_restore_and_reaction(
    busy: dict[str, Post],
    thread: Thread,
    member: User,
    peer: User,
    facilitator: User,
    signed_in: Callable[[User], Client],
    renders: list[int],
) -> None:
    from discussions.services import post_restore

    reader = signed_in(peer)
    _get(reader, thread)
    _get(signed_in(member), thread)
    post = Post.objects.get(pk=busy["plain"].pk)

    renders.clear()
    post_edit(post=post, by=peer, body="Second thoughts, *rewritten*", version=post.version)
    page = _get(reader, thread)
    assert "<em>rewritten</em>" in page and "A <em>plain</em> reply." not in page
    assert renders == [post.pk, busy["reply"].pk]  # the post, and the reply quoting it

    reaction_toggle(post=post, user=member, kind="agree")
    page = _get(reader, thread)
    assert 'title="Agree, 1 person"' in _li(page, post.pk)
    assert 'aria-pressed="true"' in _li(_get(signed_in(member), thread), post.pk)
    reaction_toggle(post=post, user=member, kind="agree")
    assert 'data-kind="agree"' not in _li(_get(reader, thread), post.pk).split("reaction-picker")[0]

    post_hide(post=post, by=facilitator)
    page = _get(reader, thread)
    assert "This post was hidden by a facilitator." in _li(page, post.pk)
    assert "rewritten" not in _li(page, post.pk)
    post_restore(post=post, by=facilitator)
    assert "<em>rewritten</em>" in _li(_get(reader, thread), post.pk)

    post_delete(post=post, by=peer)
    page = _get(signed_in(member), thread)
    assert "This post was deleted by its author." in _li(page, post.pk)
    assert "rewritten" not in _li(page, post.pk)
    post_restore(post=post, by=peer)
    assert "<em>rewritten</em>" in _li(_get(signed_in(member), thread), post.pk)


def _li(page: str, post_id: int) -> str:
    found = re.search(rf'<li id="post-{post_id}".*?</li>', page, re.S)
    assert found, f"post {post_id} is not on the page"
    return found.group(0)


def test_forget_drops_a_posts_entry(
    busy: dict[str, Post],
    thread: Thread,
    member: User,
    signed_in: Callable[[User], Client],
    renders: list[int],
) -> None:
    client = signed_in(member)
    _get(client, thread)
    renders.clear()
    post_cache.forget([busy["plain"].pk, busy["quote"].pk])
    _get(client, thread)
    assert sorted(renders) == sorted([busy["plain"].pk, busy["quote"].pk])
    renders.clear()
    _get(client, thread)
    assert renders == []


@pytest.mark.parametrize("change", ["hide", "delete"])
def test_a_removed_posts_text_is_never_served_from_its_visible_entry(
    change: str,
    thread: Thread,
    member: User,
    peer: User,
    facilitator: User,
    signed_in: Callable[[User], Client],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    post, _ = post_create(thread=thread, author=peer, body="Words that must go: zebra-quartz")
    reader = signed_in(member)
    assert "zebra-quartz" in _get(reader, thread)  # its visible fragment is cached now
    # Even if forgetting it were lost, the state in the key keeps the old entry out.
    monkeypatch.setattr(post_cache, "forget", lambda post_ids: None)
    if change == "hide":
        post_hide(post=post, by=facilitator)
    else:
        post_delete(post=post, by=peer)
    for who in (member, peer, facilitator):
        page = _get(signed_in(who), thread)
        li = _li(page, post.pk)
        assert "post--removed" in li
        if who == member:
            assert "zebra-quartz" not in page


def _page_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _add_posts(thread: Thread, author: User, n: int) -> None:
    Post.objects.bulk_create(
        Post(thread=thread, author=author, body=f"Post {i}", body_html=f"<p>Post {i}</p>")
        for i in range(n)
    )


def test_the_page_makes_as_many_queries_at_200_posts_as_at_10_and_warm_as_cold(
    thread: Thread, member: User, peer: User, signed_in: Callable[[User], Client]
) -> None:
    client = signed_in(member)
    _add_posts(thread, peer, 9)
    url = thread.get_absolute_url()
    # Opening where the reading left off (one more count) and a page asked for by number.
    few = {"open": _page_queries(client, url), "page": _page_queries(client, f"{url}?page=1")}
    assert _page_queries(client, url) == few["open"]  # warm: no more than cold
    _add_posts(thread, peer, 190)
    assert Post.objects.filter(thread=thread).count() == 200
    assert _page_queries(client, url) == few["open"]
    for page in (1, 2, 4):
        assert _page_queries(client, f"{url}?page={page}") == few["page"], page


def test_each_change_forgets_the_post_once_committed(
    thread: Thread,
    member: User,
    peer: User,
    facilitator: User,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from discussions.services import post_restore

    forgotten: list[list[int]] = []
    monkeypatch.setattr(post_cache, "forget", lambda post_ids: forgotten.append(list(post_ids)))
    post, _ = post_create(thread=thread, author=peer, body="Something to change")
    changes: list[Callable[[], Any]] = [
        lambda: post_edit(post=post, by=peer, body="Changed", version=1),
        lambda: reaction_toggle(post=post, user=member, kind="thanks"),
        lambda: post_hide(post=post, by=facilitator),
        lambda: post_restore(post=post, by=facilitator),
        lambda: post_delete(post=post, by=peer),
        lambda: post_restore(post=post, by=peer),
    ]
    for change in changes:
        forgotten.clear()
        with django_capture_on_commit_callbacks(execute=True):
            change()
            assert forgotten == []  # not before the commit
        assert forgotten == [[post.pk]]
