"""Typing and presence belong to people who may post: staff and alumni may follow a thread
they can read, but send no typing and are never listed as viewing it. A subscribe joins the
thread's group before it authorizes, so no removal falls between the two."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from accounts.models import User
from cohorts.models import Cohort, Membership
from core.realtime import relay_event, thread_group
from discussions import consumers as discussion_consumers
from discussions.models import Thread
from tests.discussions import test_consumer as sockets
from tests.discussions.test_consumer import Connect, names, new_post

connect = sockets.connect  # the socket fixture, used by name

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def alumna(make_user: Callable[..., User], cohort: Cohort, seat: Callable[..., Membership]) -> User:
    person = make_user("alumna@example.org", name="Ada Alumna")
    membership = seat(cohort, person)
    Membership.objects.filter(pk=membership.pk).update(status=Membership.Status.ALUMNI)
    return person


@pytest.mark.parametrize("reader", ["staff", "alumna"])
async def test_readers_who_cannot_post_may_follow_but_not_send_typing(
    request: pytest.FixtureRequest, connect: Connect, thread: Thread, member: User, reader: str
):
    person = await database_sync_to_async(request.getfixturevalue)(reader)
    watcher = await connect(member)
    await watcher.subscribe(thread.pk)
    socket = await connect(person)
    frames = await socket.subscribe(thread.pk)
    assert frames[-1]["type"] == "subscribed"
    await socket.send({"type": "typing", "thread": thread.pk})
    answer = await socket.receive()
    assert (answer["type"], answer["code"]) == ("error", "forbidden")
    assert "post" in answer["detail"]
    assert await watcher.quiet(skip=("presence",))
    # They still read live posts.
    post = await new_post(thread, member, "for everyone who reads")
    frame = await socket.receive()
    assert (frame["type"], frame["post"]["id"]) == ("post.created", post.pk)


@pytest.mark.parametrize("reader", ["staff", "alumna"])
async def test_readers_who_cannot_post_are_not_listed_as_viewing(
    request: pytest.FixtureRequest, connect: Connect, thread: Thread, member: User, reader: str
):
    person = await database_sync_to_async(request.getfixturevalue)(reader)
    watcher = await connect(member)
    await watcher.subscribe(thread.pk)
    assert names(await watcher.communicator.receive_json_from(timeout=3)) == ["Mei Member"]
    socket = await connect(person)
    await socket.subscribe(thread.pk)
    # The reader is told who is there, without being added.
    told = await socket.communicator.receive_json_from(timeout=3)
    assert told["type"] == "presence" and names(told) == ["Mei Member"]
    assert await watcher.communicator.receive_nothing(timeout=0.3)


async def test_event_published_while_a_subscribe_is_authorized_is_not_missed(
    connect: Connect, thread: Thread, member: User, monkeypatch: Any
):
    """The socket is in the thread's group before the permission check runs, so whatever
    the thread publishes from then on (a post, a removal) reaches it."""
    layer = get_channel_layer()
    open_thread = discussion_consumers._open_thread
    marker = '{"type":"marker"}'

    async def publish_during_the_check(
        session_key: str, user_id: int, thread_id: int, after: int
    ) -> Any:
        group = thread_group(thread_id)
        await layer.group_send(group, relay_event(group, "marker", marker))
        return await open_thread(session_key, user_id, thread_id, after)

    monkeypatch.setattr(discussion_consumers, "_open_thread", publish_during_the_check)
    socket = await connect(member)
    frames = await socket.subscribe(thread.pk)
    assert frames[-1]["type"] == "subscribed"
    assert await socket.receive() == {"type": "marker"}


async def test_refused_subscribe_relays_nothing_queued_meanwhile_or_later(
    connect: Connect, thread: Thread, outsider: User, member: User, monkeypatch: Any
):
    open_thread = discussion_consumers._open_thread

    async def post_during_the_check(*args: Any) -> Any:
        await new_post(thread, member, "published while the outsider was being checked")
        return await open_thread(*args)

    monkeypatch.setattr(discussion_consumers, "_open_thread", post_during_the_check)
    socket = await connect(outsider)
    frames = await socket.subscribe(thread.pk)
    assert (frames[-1]["type"], frames[-1]["code"]) == ("error", "forbidden")
    assert await socket.quiet(skip=())
    await new_post(thread, member, "published after the refusal")
    assert await socket.quiet(skip=())


async def test_members_who_become_alumni_stop_typing_at_once(
    connect: Connect, thread: Thread, member: User, facilitator: User
):
    """Concluding a cohort re-checks its members' open sockets: they keep reading, but
    their typing is refused from that moment, without a reconnect."""
    from cohorts.services import cohort_activate, cohort_conclude

    socket = await connect(member)
    await socket.subscribe(thread.pk)
    await socket.send({"type": "typing", "thread": thread.pk})
    assert await socket.quiet(skip=("presence", "typing"))  # allowed: echoed, no error

    @database_sync_to_async
    def conclude() -> None:
        cohort = Cohort.objects.get(threads=thread)
        if cohort.state == Cohort.State.APPROVED:
            cohort_activate(cohort=cohort, by=facilitator)
        cohort_conclude(cohort=cohort, by=facilitator)

    await conclude()
    assert await socket.quiet(skip=("presence",))  # the re-check itself says nothing
    await socket.send({"type": "typing", "thread": thread.pk})
    answer = await socket.receive()
    assert (answer["type"], answer["code"]) == ("error", "forbidden")
