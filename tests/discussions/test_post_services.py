"""The post and thread services: the rules every page, API call and socket relies on."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Notification, User
from core import realtime
from discussions.models import Mention, Post, PostRevision, ReadState, Thread, ThreadSubscription
from discussions.services import (
    DiscussionError,
    StaleVersion,
    post_create,
    post_delete,
    post_edit,
    post_hide,
    post_restore,
    thread_create,
    thread_mark_read,
    thread_rebuild_stats,
    thread_set_flags,
    thread_subscribe,
)


def kinds_for(user: User) -> list[str]:
    notes = Notification.objects.filter(user=user, kind__startswith="discussions.")
    return list(notes.values_list("kind", flat=True))


# --- idempotent create -------------------------------------------------------------------
def test_same_client_id_from_same_author_returns_the_first_post(thread: Thread, member: User):
    client_id = uuid.uuid4()
    first, created = post_create(thread=thread, author=member, body="Hello", client_id=client_id)
    again, created_again = post_create(
        thread=thread, author=member, body="Hello (retried)", client_id=str(client_id)
    )
    assert created and not created_again
    assert again.pk == first.pk
    assert again.body == "Hello"
    thread.refresh_from_db()
    assert thread.post_count == 2  # the opening post and this one, not three


def test_same_client_id_from_another_author_is_another_post(
    thread: Thread, member: User, peer: User
):
    client_id = uuid.uuid4()
    mine, _ = post_create(thread=thread, author=member, body="Mine", client_id=client_id)
    theirs, created = post_create(thread=thread, author=peer, body="Theirs", client_id=client_id)
    assert created and theirs.pk != mine.pk


def test_client_id_reused_for_another_thread_is_a_conflict(
    thread: Thread, member: User, cohort: Any
):
    client_id = uuid.uuid4()
    post_create(thread=thread, author=member, body="Here", client_id=client_id)
    other = thread_create(cohort=cohort, author=member, title="Second", body="Opening")
    with pytest.raises(DiscussionError) as refused:
        post_create(thread=other, author=member, body="There", client_id=client_id)
    assert refused.value.code == "conflict"
    assert not Post.objects.filter(thread=other, body="There").exists()


def test_repeated_submissions_make_one_post_per_client_id(thread: Thread, member: User):
    """Any sequence of submissions (retries in any order, ids in any spelling) makes exactly
    one post per distinct client_id, and every retry answers with that post."""
    first_seen: dict[uuid.UUID, int] = {}
    spellings = st.sampled_from([lambda u: u, str, lambda u: str(u).upper()])

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(ids=st.lists(st.uuids(), min_size=1, max_size=4, unique=True), data=st.data())
    def run(ids: list[uuid.UUID], data: Any) -> None:
        submissions = data.draw(st.lists(st.sampled_from(ids), min_size=1, max_size=8))
        for n, client_id in enumerate(submissions):
            spelled = data.draw(spellings)(client_id)
            post, created = post_create(
                thread=thread, author=member, body=f"try {n}", client_id=spelled
            )
            if client_id in first_seen:
                assert not created and post.pk == first_seen[client_id]
            else:
                assert created
                first_seen[client_id] = post.pk
        stored = Post.objects.filter(author=member, client_id__in=ids)
        assert stored.count() == len([i for i in ids if i in first_seen])

    run()
    thread.refresh_from_db()
    assert thread.post_count == 1 + len(first_seen)


@pytest.mark.services
def test_concurrent_double_submit_makes_one_post(transactional_db: Any, thread: Thread, member):
    """Two requests with the same client_id at the same moment, on PostgreSQL."""
    from tests.services.servers import require_services

    require_services()
    client_id = uuid.uuid4()
    barrier = threading.Barrier(4)
    results: list[tuple[int, bool]] = []
    errors: list[BaseException] = []

    def submit() -> None:
        try:
            barrier.wait(timeout=10)
            post, created = post_create(
                thread=thread, author=member, body="Double click", client_id=client_id
            )
            results.append((post.pk, created))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=submit) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert not errors, errors
    assert len({pk for pk, _ in results}) == 1
    assert sorted(created for _, created in results) == [False, False, False, True]
    assert Post.objects.filter(author=member, client_id=client_id).count() == 1
    thread.refresh_from_db()
    assert thread.post_count == 2


# --- versioned edit ----------------------------------------------------------------------
def test_edit_from_the_current_version_keeps_a_revision(thread: Thread, member: User):
    post, _ = post_create(thread=thread, author=member, body="First words")
    edited = post_edit(post=post, by=member, body="Better words", version=1)
    assert (edited.version, edited.body) == (2, "Better words")
    assert edited.edited_at is not None
    assert list(PostRevision.objects.filter(post=post).values_list("version", "body")) == [
        (1, "First words")
    ]


def test_stale_edit_is_refused_with_the_current_post_and_overwrites_nothing(
    thread: Thread, member: User
):
    post, _ = post_create(thread=thread, author=member, body="v1 text")
    post_edit(post=post, by=member, body="v2 text", version=1)
    with pytest.raises(StaleVersion) as stale:
        post_edit(post=post, by=member, body="edit made from v1", version=1)
    assert stale.value.code == "stale_version"
    assert (stale.value.current.version, stale.value.current.body) == (2, "v2 text")
    post.refresh_from_db()
    assert (post.version, post.body) == (2, "v2 text")
    assert PostRevision.objects.filter(post=post).count() == 1


def test_only_the_author_edits(thread: Thread, member: User, peer: User, facilitator: User):
    post, _ = post_create(thread=thread, author=member, body="Mine")
    for other in (peer, facilitator):
        with pytest.raises(DiscussionError) as refused:
            post_edit(post=post, by=other, body="Theirs", version=1)
        assert refused.value.code == "forbidden"
    post.refresh_from_db()
    assert post.body == "Mine"


# --- soft delete, hide, restore --------------------------------------------------------------
def test_author_deletes_and_restores_within_30_days(thread: Thread, member: User, peer: User):
    post, _ = post_create(thread=thread, author=member, body="Oops")
    with pytest.raises(DiscussionError):
        post_delete(post=post, by=peer)
    post_delete(post=post, by=member)
    post.refresh_from_db()
    assert post.deleted_at is not None and Post.objects.filter(pk=post.pk).exists()
    Post.objects.filter(pk=post.pk).update(deleted_at=timezone.now() - dt.timedelta(days=29))
    restored = post_restore(post=post, by=member)
    assert restored.deleted_at is None


def test_restore_after_30_days_is_refused(thread: Thread, member: User):
    post, _ = post_create(thread=thread, author=member, body="Long gone")
    post_delete(post=post, by=member)
    Post.objects.filter(pk=post.pk).update(deleted_at=timezone.now() - dt.timedelta(days=31))
    with pytest.raises(DiscussionError) as refused:
        post_restore(post=post, by=member)
    assert refused.value.code == "expired"
    post.refresh_from_db()
    assert post.deleted_at is not None


def test_only_a_facilitator_hides_and_restores(
    thread: Thread, member: User, peer: User, facilitator: User
):
    post, _ = post_create(thread=thread, author=member, body="Heated words")
    for person in (member, peer):
        with pytest.raises(DiscussionError) as refused:
            post_hide(post=post, by=person)
        assert refused.value.code == "forbidden"
    post_hide(post=post, by=facilitator)
    post.refresh_from_db()
    assert post.hidden_at is not None and post.hidden_by == facilitator
    # The author cannot undo a facilitator's hide.
    with pytest.raises(DiscussionError) as refused:
        post_restore(post=post, by=member)
    assert refused.value.code == "forbidden"
    post.refresh_from_db()
    assert post.hidden_at is not None
    post_restore(post=post, by=facilitator)
    post.refresh_from_db()
    assert post.hidden_at is None and post.hidden_by is None


def test_hidden_post_cannot_be_edited_by_its_author(
    thread: Thread, member: User, facilitator: User
):
    post, _ = post_create(thread=thread, author=member, body="Heated words")
    post_hide(post=post, by=facilitator)
    with pytest.raises(DiscussionError):
        post_edit(post=post, by=member, body="Sneaky", version=1)


# --- who may post ------------------------------------------------------------------------------
def test_locked_thread_refuses_posts_with_a_clear_message(
    thread: Thread, member: User, facilitator: User
):
    thread_set_flags(thread=thread, by=facilitator, locked=True)
    for person in (member, facilitator):
        with pytest.raises(DiscussionError) as refused:
            post_create(thread=thread, author=person, body="Anyone there?")
        assert refused.value.code == "locked"
        assert "locked" in refused.value.message
    assert thread.posts.count() == 1


def test_only_a_facilitator_locks(thread: Thread, member: User):
    with pytest.raises(DiscussionError):
        thread_set_flags(thread=thread, by=member, locked=True)


@pytest.mark.parametrize("who", ["outsider", "removed"])
def test_outsider_and_removed_member_cannot_post_or_start_threads(
    request: pytest.FixtureRequest, thread: Thread, cohort: Any, who: str
):
    person = request.getfixturevalue(who)
    with pytest.raises(DiscussionError) as refused:
        post_create(thread=thread, author=person, body="Let me in")
    assert refused.value.code == "forbidden"
    with pytest.raises(DiscussionError):
        thread_create(cohort=cohort, author=person, title="Mine now", body="Hi")


# --- mentions ----------------------------------------------------------------------------------
def test_mentions_link_cohort_members_only(
    thread: Thread, member: User, peer: User, outsider: User, removed: User, announced: Any
):
    post, _ = announced(
        thread=thread,
        author=member,
        body="Thanks @pat-peer! And @olivia-outsider, @rory-removed and @nobody-at-all.",
    )
    assert set(Mention.objects.filter(post=post).values_list("user_id", flat=True)) == {peer.pk}
    assert f'href="/people/{peer.pk}/"' in post.body_html
    assert f"/people/{outsider.pk}/" not in post.body_html
    assert f"/people/{removed.pk}/" not in post.body_html
    assert kinds_for(outsider) == [] and kinds_for(removed) == []


@pytest.mark.parametrize(
    "body",
    [
        "Use `@pat-peer` as the handle.",
        "```\nping @pat-peer\n```",
        "~~~\nping @pat-peer\n~~~",
        "Some code:\n\n    ping @pat-peer\n",
        "``a `tick` and @pat-peer``",
    ],
    ids=["span", "fence", "tilde-fence", "indented", "double-backtick-span"],
)
def test_mentions_inside_code_stay_literal(
    thread: Thread, member: User, peer: User, body: str, announced: Any
):
    post, _ = announced(thread=thread, author=member, body=body)
    assert not Mention.objects.filter(post=post).exists()
    assert "discussions.mention" not in kinds_for(peer)
    assert "/people/" not in post.body_html
    assert "@pat-peer" in post.body_html


def test_email_addresses_are_not_mentions(thread: Thread, member: User, peer: User):
    post, _ = post_create(thread=thread, author=member, body="Write to pat@pat-peer.org")
    assert not Mention.objects.filter(post=post).exists()


# --- notifications -----------------------------------------------------------------------------
def test_mention_notifies_the_mentioned_member_once(
    thread: Thread, member: User, peer: User, announced: Any
):
    thread_subscribe(thread=thread, user=peer, level=ThreadSubscription.Level.FOLLOWING)
    announced(thread=thread, author=member, body="@pat-peer what do you think, @pat-peer?")
    # Mentioned and following: one notification, the mention.
    assert kinds_for(peer).count("discussions.mention") == 1
    assert "discussions.reply" not in kinds_for(peer)


def test_reply_notifies_followers_but_not_the_author_or_muted(
    thread: Thread, member: User, peer: User, facilitator: User, announced: Any
):
    # The thread's author follows it automatically.
    assert ThreadSubscription.objects.get(thread=thread, user=member).level == "following"
    thread_subscribe(thread=thread, user=facilitator, level=ThreadSubscription.Level.MUTED)
    Notification.objects.all().delete()
    announced(thread=thread, author=peer, body="My answer")
    assert kinds_for(member) == ["discussions.reply"]
    assert kinds_for(peer) == []
    assert kinds_for(facilitator) == []
    # Posting made the peer a follower: the member's next post reaches them.
    announced(thread=thread, author=member, body="Thanks")
    assert kinds_for(peer) == ["discussions.reply"]


def test_muting_stops_reply_notifications(thread: Thread, member: User, peer: User, announced: Any):
    thread_subscribe(thread=thread, user=member, level=ThreadSubscription.Level.MUTED)
    Notification.objects.all().delete()
    announced(thread=thread, author=peer, body="Anyone?")
    assert kinds_for(member) == []


def test_follower_who_left_the_cohort_hears_nothing(
    thread: Thread, peer: User, member: User, facilitator: User, cohort: Any, announced: Any
):
    from cohorts import services as cohort_services
    from cohorts.models import Membership

    thread_subscribe(thread=thread, user=peer, level=ThreadSubscription.Level.FOLLOWING)
    cohort_services.membership_remove(
        membership=Membership.objects.get(cohort=cohort, user=peer), by=facilitator
    )
    Notification.objects.all().delete()
    announced(thread=thread, author=member, body="Still here")
    assert kinds_for(peer) == []


def test_new_thread_tells_every_active_member_but_its_author(
    cohort: Any, member: User, peer: User, facilitator: User, removed: User, outsider: User
):
    Notification.objects.all().delete()
    thread_create(cohort=cohort, author=peer, title="New idea", body="Hear me out")
    assert kinds_for(member) == ["discussions.new_thread"]
    assert kinds_for(facilitator) == ["discussions.new_thread"]
    assert kinds_for(peer) == kinds_for(removed) == kinds_for(outsider) == []


def test_only_facilitators_announce_and_announcements_reach_everyone(
    cohort: Any, member: User, peer: User, facilitator: User
):
    with pytest.raises(DiscussionError):
        thread_create(cohort=cohort, author=member, title="Hear ye", body="x", announcement=True)
    Notification.objects.all().delete()
    thread = thread_create(
        cohort=cohort, author=facilitator, title="Room change", body="B12", announcement=True
    )
    assert thread.announcement
    assert kinds_for(member) == kinds_for(peer) == ["discussions.announcement"]


# --- read pointer ------------------------------------------------------------------------------
def test_read_pointer_never_moves_back(thread: Thread, member: User, peer: User):
    posts = [post_create(thread=thread, author=member, body=f"p{i}")[0] for i in range(3)]
    assert thread_mark_read(thread=thread, user=peer, up_to=posts[2].pk) == posts[2].pk
    assert thread_mark_read(thread=thread, user=peer, up_to=posts[0].pk) == posts[2].pk
    assert thread_mark_read(thread=thread, user=peer, up_to=0) == posts[2].pk
    assert ReadState.objects.get(thread=thread, user=peer).last_read_post_id == posts[2].pk


def test_read_pointer_stops_at_the_last_post(thread: Thread, member: User, peer: User):
    last, _ = post_create(thread=thread, author=member, body="the last one")
    assert thread_mark_read(thread=thread, user=peer, up_to=2**62) == last.pk
    assert thread_mark_read(thread=thread, user=peer, up_to=10**30) == last.pk
    assert ReadState.objects.get(thread=thread, user=peer).last_read_post_id == last.pk
    with pytest.raises(DiscussionError):
        thread_mark_read(thread=thread, user=peer, up_to=-1)


def test_posting_marks_the_authors_own_post_read(thread: Thread, peer: User):
    post, _ = post_create(thread=thread, author=peer, body="Mine")
    assert ReadState.objects.get(thread=thread, user=peer).last_read_post_id == post.pk


# --- denormalised stats ------------------------------------------------------------------------
def _stats(thread: Thread) -> tuple[Any, ...]:
    thread.refresh_from_db()
    return (thread.post_count, thread.last_post_id, thread.last_poster_id, thread.last_activity_at)


def test_thread_stats_follow_posts_and_rebuild_restores_them(
    thread: Thread, member: User, peer: User
):
    post_create(thread=thread, author=member, body="one")
    last, _ = post_create(thread=thread, author=peer, body="two")
    stats = _stats(thread)
    assert stats == (3, last.pk, peer.pk, last.created_at)
    Thread.objects.filter(pk=thread.pk).update(
        post_count=99,
        last_post=None,
        last_poster=None,
        last_activity_at=timezone.now() - dt.timedelta(days=400),
    )
    assert thread_rebuild_stats(thread_ids=[thread.pk]) == 1
    assert _stats(thread) == stats


def test_thread_stats_after_a_delete_agree_with_a_rebuild(
    thread: Thread, member: User, peer: User, facilitator: User
):
    """Whatever post_delete/hide leave behind is what a rebuild computes: the thread list
    never shows a removed post as the last one."""
    post_create(thread=thread, author=member, body="kept")
    gone, _ = post_create(thread=thread, author=peer, body="deleted")
    post_delete(post=gone, by=peer)
    after_delete = _stats(thread)
    thread_rebuild_stats(thread_ids=[thread.pk])
    assert _stats(thread) == after_delete
    hidden, _ = post_create(thread=thread, author=peer, body="hidden")
    post_hide(post=hidden, by=facilitator)
    after_hide = _stats(thread)
    assert after_hide[1] != hidden.pk
    thread_rebuild_stats(thread_ids=[thread.pk])
    assert _stats(thread) == after_hide
    post_restore(post=hidden, by=facilitator)
    assert _stats(thread)[1:3] == (hidden.pk, peer.pk)


# --- publish after commit ------------------------------------------------------------------------
@pytest.fixture
def layer(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], Callable[[float], Any]]:
    """A real InMemoryChannelLayer behind core.realtime; ``listen(group)`` joins a channel
    to the group and returns ``receive(timeout)`` (None when nothing came)."""
    memory = InMemoryChannelLayer()
    monkeypatch.setattr(realtime, "get_channel_layer", lambda: memory)

    def listen(group: str) -> Callable[[float], Any]:
        channel = async_to_sync(memory.new_channel)()
        async_to_sync(memory.group_add)(group, channel)

        async def receive(timeout: float) -> Any:
            try:
                return await asyncio.wait_for(memory.receive(channel), timeout)
            except TimeoutError:
                return None

        return lambda timeout=0.2: async_to_sync(receive)(timeout)

    return listen


class Boom(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_post_is_published_after_commit_and_not_after_rollback(
    layer: Any, thread: Thread, member: User
):
    receive = layer(realtime.thread_group(thread.pk))
    with pytest.raises(Boom), transaction.atomic():
        post_create(thread=thread, author=member, body="never stored")
        raise Boom
    assert receive(0.3) is None
    assert not Post.objects.filter(body="never stored").exists()

    with transaction.atomic():
        post, _ = post_create(thread=thread, author=member, body="stored")
        assert receive(0.1) is None  # not before the commit
    message = receive(2)
    assert message is not None and message["kind"] == "post.created"
    assert f'"id":{post.pk},' in message["text"]
    assert receive(0.2) is None  # once


@pytest.mark.django_db(transaction=True)
def test_edit_delete_and_hide_publish_after_commit_only(
    layer: Any, thread: Thread, member: User, facilitator: User
):
    post, _ = post_create(thread=thread, author=member, body="text")
    receive = layer(realtime.thread_group(thread.pk))
    with pytest.raises(Boom), transaction.atomic():
        post_edit(post=post, by=member, body="changed", version=1)
        post_delete(post=post, by=member)
        raise Boom
    assert receive(0.3) is None
    post_edit(post=post, by=member, body="changed", version=1)
    assert receive(2)["kind"] == "post.updated"
    post_hide(post=post, by=facilitator)
    assert receive(2)["kind"] == "post.deleted"


def test_a_retried_thread_start_returns_the_first_thread(thread: Thread, member) -> None:
    client_id = uuid.uuid4()
    first = thread_create(
        cohort=thread.cohort, author=member, title="Partner voice", body="Hi", client_id=client_id
    )
    again = thread_create(
        cohort=thread.cohort, author=member, title="Partner voice", body="Hi", client_id=client_id
    )
    assert again.pk == first.pk
    assert Thread.objects.filter(title="Partner voice").count() == 1


def test_a_removed_member_retrying_a_post_is_refused(thread: Thread, member, facilitator) -> None:
    from cohorts.models import Membership
    from cohorts.services import membership_remove

    client_id = uuid.uuid4()
    post_create(thread=thread, author=member, body="first", client_id=client_id)
    membership_remove(
        membership=Membership.objects.get(cohort=thread.cohort, user=member), by=facilitator
    )
    member.refresh_from_db()
    with pytest.raises(DiscussionError) as refused:
        post_create(thread=thread, author=member, body="first", client_id=client_id)
    assert refused.value.code == "forbidden"
