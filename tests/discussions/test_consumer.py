"""Thread subscriptions over /ws/, driven through the full ASGI application (session auth,
origin check, routing) with WebsocketCommunicator, on a transactional database so that
posts really commit before they are published."""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import transaction

from accounts.models import User
from cohorts.models import Cohort, Membership
from config.asgi import application
from discussions import consumers as discussion_consumers
from discussions.models import Post, Thread
from discussions.services import post_create, post_delete, post_edit, post_hide

pytestmark = [pytest.mark.django_db(transaction=True)]

TIMEOUT = 3
MISSING_THREAD = 987654
# Frames that come and go around the ones a test is about (its own presence, the personal
# notifications a followed thread sends).
QUIET_TYPES = ("presence", "notification")


@database_sync_to_async
def session_for(user: User) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


class Socket:
    """A communicator plus the frames it has read but not yet handed out."""

    def __init__(self, communicator: WebsocketCommunicator, session_key: str | None) -> None:
        self.communicator = communicator
        self.session_key = session_key

    async def send(self, message: dict[str, Any]) -> None:
        await self.communicator.send_json_to(message)

    async def receive(self, *, skip: tuple[str, ...] = QUIET_TYPES) -> dict[str, Any]:
        """The next frame that is not of a type in ``skip``."""
        while True:
            frame = await self.communicator.receive_json_from(timeout=TIMEOUT)
            if frame.get("type") not in skip:
                return frame

    async def quiet(self, *, skip: tuple[str, ...] = QUIET_TYPES, timeout: float = 0.3):
        """Nothing but frames of the ``skip`` types arrives within ``timeout``."""
        while not await self.communicator.receive_nothing(timeout=timeout):
            frame = await self.communicator.receive_json_from(timeout=TIMEOUT)
            assert frame.get("type") in skip, f"unexpected frame {frame}"
        return True

    async def subscribe(self, thread_id: int, after: int | None = None) -> list[dict[str, Any]]:
        """Subscribe; returns every frame up to and including the answer."""
        await self.send({"type": "subscribe", "thread": thread_id, "after": after})
        frames = []
        while True:
            frame = await self.receive()
            frames.append(frame)
            if frame["type"] in ("subscribed", "error"):
                return frames

    async def ping(self) -> None:
        await self.send({"type": "ping"})
        assert await self.receive() == {"type": "pong"}


Connect = Callable[[User | None], Awaitable[Socket]]


@pytest.fixture
async def connect() -> AsyncIterator[Connect]:
    opened: list[WebsocketCommunicator] = []

    async def open_socket(user: User | None) -> Socket:
        key = await session_for(user) if user is not None else None
        headers = [(b"origin", b"http://testserver"), (b"host", b"testserver")]
        if key:
            headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={key}".encode()))
        communicator = WebsocketCommunicator(application, "/ws/", headers=headers)
        connected, _ = await communicator.connect()
        assert connected
        opened.append(communicator)
        return Socket(communicator, key)

    yield open_socket
    for communicator in opened:
        with contextlib.suppress(Exception):  # already closed by the server
            await communicator.disconnect()


create = database_sync_to_async(post_create)


async def new_post(thread: Thread, author: User, body: str = "A post") -> Post:
    post, _ = await create(thread=thread, author=author, body=body)
    return post


# --- subscribe and catch-up ------------------------------------------------------------------
async def test_member_subscribe_replays_posts_after_the_given_id_in_order(
    connect: Connect, thread: Thread, member: User, peer: User
):
    opening = await database_sync_to_async(lambda: thread.posts.get())()
    missed = [await new_post(thread, peer, f"missed {i}") for i in range(3)]
    socket = await connect(member)
    frames = await socket.subscribe(thread.pk, after=opening.pk)
    assert [f["type"] for f in frames] == ["post.created"] * 3 + ["subscribed"]
    assert [f["post"]["id"] for f in frames[:3]] == [p.pk for p in missed]
    assert [f["post"]["body"] for f in frames[:3]] == ["missed 0", "missed 1", "missed 2"]
    first = frames[0]["post"]
    assert first["author"] == {"id": peer.pk, "name": "Pat Peer"}
    assert first["thread"] == thread.pk and first["version"] == 1
    assert "<p>missed 0</p>" in first["body_html"]
    assert frames[-1] == {"type": "subscribed", "thread": thread.pk, "last_post_id": missed[-1].pk}


async def test_subscribe_with_after_null_replays_the_whole_thread(
    connect: Connect, thread: Thread, member: User
):
    socket = await connect(member)
    frames = await socket.subscribe(thread.pk, after=None)
    assert [f["type"] for f in frames] == ["post.created", "subscribed"]
    assert frames[0]["post"]["body"] == "What did you think?"


async def test_subscribe_when_up_to_date_replays_nothing(
    connect: Connect, thread: Thread, member: User
):
    last = await new_post(thread, member)
    socket = await connect(member)
    frames = await socket.subscribe(thread.pk, after=last.pk)
    assert frames == [{"type": "subscribed", "thread": thread.pk, "last_post_id": last.pk}]


async def test_catch_up_past_the_replay_limit_stops_there_and_says_so(
    connect: Connect, thread: Thread, member: User, peer: User, monkeypatch: Any
):
    """A client far behind gets one bounded replay, and is told it is not up to date."""
    monkeypatch.setattr(discussion_consumers, "REPLAY_LIMIT", 3)
    posts = [await new_post(thread, peer, f"p{i}") for i in range(7)]
    socket = await connect(member)
    frames = await socket.subscribe(thread.pk, after=0)
    replayed = [f["post"]["id"] for f in frames if f["type"] == "post.created"]
    assert replayed[1:] == [p.pk for p in posts[:2]]
    assert len(replayed) == len(set(replayed)) == 3
    assert frames[-1] == {
        "type": "subscribed",
        "thread": thread.pk,
        "last_post_id": posts[1].pk,
        "truncated": True,
    }


async def test_removed_posts_replay_without_their_text(
    connect: Connect, thread: Thread, member: User, peer: User, facilitator: User
):
    deleted = await new_post(thread, peer, "regret")
    hidden = await new_post(thread, peer, "rude")
    await database_sync_to_async(post_delete)(post=deleted, by=peer)
    await database_sync_to_async(post_hide)(post=hidden, by=facilitator)
    socket = await connect(member)
    frames = await socket.subscribe(thread.pk, after=deleted.pk - 1)
    replayed = {f["post"]["id"]: f["post"] for f in frames if f["type"] == "post.created"}
    assert replayed[deleted.pk]["deleted"] and replayed[deleted.pk]["body"] == ""
    assert replayed[hidden.pk]["hidden"] and replayed[hidden.pk]["body_html"] == ""


# --- refusals --------------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["outsider", "removed"])
async def test_outsider_and_removed_member_are_forbidden_alike_for_real_and_missing_threads(
    request: pytest.FixtureRequest,
    connect: Connect,
    thread: Thread,
    other_thread: Thread,
    who: str,
):
    person = await database_sync_to_async(request.getfixturevalue)(who)
    socket = await connect(person)
    answers = []
    for thread_id in (thread.pk, other_thread.pk, MISSING_THREAD):
        frames = await socket.subscribe(thread_id, after=0)
        assert len(frames) == 1, "nothing may be replayed to someone refused"
        answers.append(frames[0])
    assert answers[0]["type"] == "error" and answers[0]["code"] == "forbidden"
    # The same answer whether the thread exists or not: existence does not leak.
    assert answers[0] == answers[1] == answers[2]
    await socket.ping()  # the socket stays open


async def test_member_of_one_cohort_is_forbidden_in_another(
    connect: Connect, member: User, other_thread: Thread
):
    socket = await connect(member)
    frames = await socket.subscribe(other_thread.pk)
    assert frames[0]["code"] == "forbidden"


@pytest.mark.parametrize(
    "message",
    [
        {"type": "subscribe"},
        {"type": "subscribe", "thread": None},
        {"type": "subscribe", "thread": "1"},
        {"type": "subscribe", "thread": -1},
        {"type": "subscribe", "thread": 0},
        {"type": "subscribe", "thread": True},
        {"type": "subscribe", "thread": 1.5},
        {"type": "subscribe", "thread": [1]},
        {"type": "subscribe", "thread": "THREAD", "after": 3},
        {"type": "subscribe", "thread": "__THREAD__", "after": "3"},
        {"type": "subscribe", "thread": "__THREAD__", "after": -1},
        {"type": "subscribe", "thread": "__THREAD__", "after": 2.5},
        {"type": "subscribe", "thread": "__THREAD__", "after": False},
        {"type": "unsubscribe", "thread": "x"},
        {"type": "typing"},
        {"type": "typing", "thread": -4},
    ],
)
async def test_malformed_messages_get_bad_request_without_closing(
    connect: Connect, thread: Thread, member: User, message: dict[str, Any]
):
    message = {k: (thread.pk if v == "__THREAD__" else v) for k, v in message.items()}
    socket = await connect(member)
    await socket.send(message)
    answer = await socket.receive()
    assert (answer["type"], answer["code"]) == ("error", "bad_request")
    assert answer["detail"]
    await socket.ping()
    # ...and the socket still works for a good subscribe.
    frames = await socket.subscribe(thread.pk)
    assert frames[-1]["type"] == "subscribed"


# --- live events -----------------------------------------------------------------------------
async def test_live_post_arrives_after_commit_once(
    connect: Connect, thread: Thread, member: User, peer: User
):
    socket = await connect(member)
    await socket.subscribe(thread.pk)
    post = await new_post(thread, peer, "live!")
    frame = await socket.receive()
    assert frame["type"] == "post.created"
    assert (frame["post"]["id"], frame["post"]["body"]) == (post.pk, "live!")
    assert await socket.quiet()


async def test_rolled_back_post_is_never_sent(
    connect: Connect, thread: Thread, member: User, peer: User
):
    socket = await connect(member)
    await socket.subscribe(thread.pk)

    class Boom(Exception):
        pass

    @database_sync_to_async
    def post_then_fail() -> None:
        with transaction.atomic():
            post_create(thread=thread, author=peer, body="never stored")
            raise Boom

    with pytest.raises(Boom):
        await post_then_fail()
    assert await socket.quiet(timeout=0.5)
    assert not await database_sync_to_async(Post.objects.filter(body="never stored").exists)()


async def test_edit_and_removal_are_pushed(
    connect: Connect, thread: Thread, member: User, peer: User, facilitator: User
):
    post = await new_post(thread, peer, "first")
    socket = await connect(member)
    await socket.subscribe(thread.pk, after=post.pk)
    await database_sync_to_async(post_edit)(post=post, by=peer, body="second", version=1)
    updated = await socket.receive()
    assert updated["type"] == "post.updated"
    assert (updated["post"]["id"], updated["post"]["version"]) == (post.pk, 2)
    assert updated["post"]["body"] == "second" and updated["post"]["edited_at"]
    await database_sync_to_async(post_delete)(post=post, by=peer)
    assert await socket.receive() == {
        "type": "post.deleted",
        "thread": thread.pk,
        "post_id": post.pk,
    }
    other = await new_post(thread, peer, "another")
    assert (await socket.receive())["type"] == "post.created"
    await database_sync_to_async(post_hide)(post=other, by=facilitator)
    assert await socket.receive() == {
        "type": "post.deleted",
        "thread": thread.pk,
        "post_id": other.pk,
    }


async def test_posts_of_other_threads_do_not_arrive(
    connect: Connect, thread: Thread, member: User, cohort: Cohort
):
    from discussions.services import thread_create

    other = await database_sync_to_async(thread_create)(
        cohort=cohort, author=member, title="Elsewhere", body="x"
    )
    socket = await connect(member)
    await socket.subscribe(thread.pk)
    await new_post(other, member, "not for this socket")
    assert await socket.quiet(skip=("presence", "notification"))


async def test_unsubscribed_socket_stops_receiving(
    connect: Connect, thread: Thread, member: User, peer: User
):
    socket = await connect(member)
    await socket.subscribe(thread.pk)
    await socket.send({"type": "unsubscribe", "thread": thread.pk})
    assert await socket.receive() == {"type": "unsubscribed", "thread": thread.pk}
    await new_post(thread, peer, "gone quiet")
    assert await socket.quiet(skip=("presence", "notification"))


# --- typing and presence ---------------------------------------------------------------------
async def test_typing_reaches_the_others_and_is_rate_limited_per_thread(
    connect: Connect, thread: Thread, cohort: Cohort, member: User, peer: User
):
    from discussions.services import thread_create

    second = await database_sync_to_async(thread_create)(
        cohort=cohort, author=peer, title="Second", body="x"
    )
    mine, theirs = await connect(member), await connect(peer)
    for socket in (mine, theirs):
        await socket.subscribe(thread.pk)
        await socket.subscribe(second.pk)
    await mine.send({"type": "typing", "thread": thread.pk})
    expected = {
        "type": "typing",
        "thread": thread.pk,
        "user": {"id": member.pk, "name": "Mei Member"},
    }
    assert await theirs.receive() == expected
    # Typing again at once is dropped quietly (no error either)...
    await mine.send({"type": "typing", "thread": thread.pk})
    await mine.send({"type": "typing", "thread": thread.pk})
    assert await mine.receive() == expected  # its own first one, echoed by the group
    assert await theirs.quiet()
    assert await mine.quiet()
    # ...but the limit is per thread.
    await mine.send({"type": "typing", "thread": second.pk})
    assert (await theirs.receive())["thread"] == second.pk


async def test_typing_in_a_thread_not_subscribed_is_forbidden(
    connect: Connect, thread: Thread, outsider: User, member: User
):
    for person in (outsider, member):
        socket = await connect(person)
        await socket.send({"type": "typing", "thread": thread.pk})
        answer = await socket.receive()
        assert (answer["type"], answer["code"]) == ("error", "forbidden")


def names(frame: dict[str, Any]) -> list[str]:
    assert frame["type"] == "presence"
    return [u["name"] for u in frame["users"]]


async def test_presence_lists_viewers_and_drops_them_on_unsubscribe_and_disconnect(
    connect: Connect, thread: Thread, member: User, peer: User
):
    mine = await connect(member)
    await mine.subscribe(thread.pk)
    assert names(await mine.receive(skip=())) == ["Mei Member"]
    theirs = await connect(peer)
    await theirs.subscribe(thread.pk)
    assert names(await mine.receive(skip=())) == ["Mei Member", "Pat Peer"]
    assert names(await theirs.receive(skip=())) == ["Mei Member", "Pat Peer"]

    await theirs.send({"type": "unsubscribe", "thread": thread.pk})
    assert names(await mine.receive(skip=())) == ["Mei Member"]

    await theirs.subscribe(thread.pk)
    assert names(await mine.receive(skip=())) == ["Mei Member", "Pat Peer"]
    await theirs.communicator.disconnect()
    assert names(await mine.receive(skip=())) == ["Mei Member"]


async def test_two_tabs_of_one_person_are_listed_once_until_both_leave(
    connect: Connect, thread: Thread, member: User, peer: User
):
    """Presence is broadcast when the set of people changes, not on every socket: 500 tabs
    subscribing to one thread must not make 500 x 500 presence frames (see bench/)."""
    watcher = await connect(peer)
    await watcher.subscribe(thread.pk)
    assert names(await watcher.receive(skip=())) == ["Pat Peer"]
    tabs = [await connect(member), await connect(member)]
    for tab in tabs:
        await tab.subscribe(thread.pk)
        # Every subscriber is told who is there, whether or not that changed anything.
        assert names(await tab.receive(skip=())) == ["Mei Member", "Pat Peer"]
    assert names(await watcher.receive(skip=())) == ["Mei Member", "Pat Peer"]
    assert await watcher.quiet(skip=(), timeout=0.3)  # the second tab changed nothing
    await tabs[0].communicator.disconnect()
    assert await watcher.quiet(skip=(), timeout=0.3)  # still there in the other tab
    await tabs[1].communicator.disconnect()
    assert names(await watcher.receive(skip=())) == ["Pat Peer"]


# --- removal and logout ----------------------------------------------------------------------
async def test_removed_member_is_cut_off_at_once(
    connect: Connect,
    thread: Thread,
    cohort: Cohort,
    member: User,
    peer: User,
    facilitator: User,
    other_thread: Thread,
):
    from cohorts.services import membership_remove

    theirs, mine = await connect(peer), await connect(member)
    await theirs.subscribe(thread.pk)
    await mine.subscribe(thread.pk)

    @database_sync_to_async
    def remove() -> None:
        membership = Membership.objects.get(cohort=cohort, user=peer)
        membership_remove(membership=membership, by=facilitator)

    await remove()
    cut = await theirs.receive(skip=("presence", "membership.ended", "notification"))
    assert (cut["type"], cut["code"], cut["thread"]) == ("error", "forbidden", thread.pk)

    post = await new_post(thread, member, "after the removal")
    assert (await mine.receive())["post"]["id"] == post.pk
    assert await theirs.quiet(skip=("presence", "membership.ended", "notification"))
    # And they cannot come back in.
    frames = await theirs.subscribe(thread.pk)
    assert (frames[0]["type"], frames[0]["code"]) == ("error", "forbidden")


async def test_removal_from_one_cohort_keeps_threads_of_another(
    connect: Connect,
    thread: Thread,
    cohort: Cohort,
    peer: User,
    facilitator: User,
    other_thread: Thread,
):
    from cohorts.services import membership_join, membership_remove

    @database_sync_to_async
    def join_other() -> None:
        other = other_thread.cohort
        other.join_policy = Cohort.JoinPolicy.OPEN
        other.save(update_fields=["join_policy"])
        membership_join(cohort=other, user=peer)

    await join_other()
    socket = await connect(peer)
    await socket.subscribe(thread.pk)
    frames = await socket.subscribe(other_thread.pk)
    assert frames[-1]["type"] == "subscribed"

    @database_sync_to_async
    def remove() -> None:
        membership_remove(
            membership=Membership.objects.get(cohort=cohort, user=peer), by=facilitator
        )

    await remove()
    cut = await socket.receive(skip=("presence", "membership.ended", "notification"))
    assert cut["thread"] == thread.pk
    host = await database_sync_to_async(lambda: other_thread.created_by)()
    post = await new_post(other_thread, host, "still here")
    frame = await socket.receive(skip=("presence", "membership.ended", "notification"))
    assert frame["post"]["id"] == post.pk


async def test_logout_closes_a_subscribed_socket_with_4401(
    connect: Connect, thread: Thread, member: User
):
    socket = await connect(member)
    await socket.subscribe(thread.pk)

    @database_sync_to_async
    def log_out() -> None:
        from django.contrib.auth import logout
        from django.test import RequestFactory

        request = RequestFactory().post("/accounts/logout/")
        request.session = SessionStore(session_key=socket.session_key)
        request.user = member
        logout(request)

    await log_out()
    while True:
        output = await socket.communicator.receive_output(timeout=TIMEOUT)
        if output["type"] == "websocket.close":
            assert output["code"] == 4401
            break
        assert json.loads(output["text"])["type"] == "presence"


# --- permissions table -----------------------------------------------------------------------
# What each role hears back for each socket message about a thread of the cohort (presence
# frames aside). Anonymous sockets are closed with 4401 before they can ask anything.
TABLE = {
    #              subscribe      typing (after subscribe)  unsubscribe     ping
    "member": ("subscribed", "typing", "unsubscribed", "pong"),
    "facilitator": ("subscribed", "typing", "unsubscribed", "pong"),
    # Staff may read every cohort's threads but post only where they are members.
    "staff": ("subscribed", "forbidden", "unsubscribed", "pong"),
    "outsider": ("forbidden", "forbidden", "unsubscribed", "pong"),
    "removed": ("forbidden", "forbidden", "unsubscribed", "pong"),
}


def _answer(frame: dict[str, Any]) -> str:
    return frame["code"] if frame["type"] == "error" else frame["type"]


@pytest.mark.parametrize("role", [*TABLE, "anonymous"])
async def test_permissions_table_for_socket_messages(
    request: pytest.FixtureRequest, connect: Connect, thread: Thread, role: str
):
    if role == "anonymous":
        socket = await connect(None)
        assert await socket.communicator.receive_output(timeout=TIMEOUT) == {
            "type": "websocket.close",
            "code": 4401,
        }
        return
    person = await database_sync_to_async(request.getfixturevalue)(role)
    socket = await connect(person)
    answers = []
    await socket.send({"type": "subscribe", "thread": thread.pk, "after": None})
    frame = await socket.receive()
    while frame["type"] == "post.created":  # the replay, for those allowed
        frame = await socket.receive()
    answers.append(_answer(frame))
    for message in (
        {"type": "typing", "thread": thread.pk},
        {"type": "unsubscribe", "thread": thread.pk},
        {"type": "ping"},
    ):
        await socket.send(message)
        answers.append(_answer(await socket.receive()))
    assert tuple(answers) == TABLE[role]


async def test_no_post_reaches_a_refused_socket(
    connect: Connect, thread: Thread, outsider: User, removed: User, member: User
):
    sockets = [await connect(outsider), await connect(removed)]
    for socket in sockets:
        await socket.subscribe(thread.pk)
    await new_post(thread, member, f"secret {uuid.uuid4()}")
    for socket in sockets:
        assert await socket.quiet(skip=())
