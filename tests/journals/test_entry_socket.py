"""Open entry pages follow their entry over /ws/ (``journals.watch``), driven through the
full ASGI application on a transactional database, so the services' events really go out
after commit. Narrowing who can read an entry takes effect at once: a reader who loses it
is told ``journals.revoked`` and hears nothing more; feedback is announced only to those
who may see it."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings

from accounts.models import User
from cohorts.models import Cohort, Membership
from config.asgi import application
from journals import consumers
from journals.models import Entry
from journals.services import comment_create, entry_delete, entry_set_visibility
from tests.discussions.test_consumer import Socket, session_for

pytestmark = [pytest.mark.django_db(transaction=True)]

QUIET = ("presence", "notification", "notifications.count", "membership.ended")


class Page(Socket):
    async def receive(self, *, skip: tuple[str, ...] = QUIET) -> dict[str, Any]:
        return await super().receive(skip=skip)

    async def quiet(self, *, skip: tuple[str, ...] = QUIET, timeout: float = 0.3) -> bool:
        return await super().quiet(skip=skip, timeout=timeout)

    async def watch(self, entry: Any) -> dict[str, Any]:
        await self.send({"type": "journals.watch", "entry": entry})
        return await self.receive()


Connect = Callable[[User], Awaitable[Page]]


@pytest.fixture
async def connect() -> AsyncIterator[Connect]:
    opened: list[WebsocketCommunicator] = []

    async def open_page(user: User) -> Page:
        key = await session_for(user)
        headers = [
            (b"origin", b"http://testserver"),
            (b"host", b"testserver"),
            (b"cookie", f"{settings.SESSION_COOKIE_NAME}={key}".encode()),
        ]
        communicator = WebsocketCommunicator(application, "/ws/", headers=headers)
        connected, _ = await communicator.connect()
        assert connected
        opened.append(communicator)
        return Page(communicator, key)

    yield open_page
    for communicator in opened:
        with contextlib.suppress(Exception):  # already closed by the server
            await communicator.disconnect()


def refused(entry_id: int) -> dict[str, Any]:
    return {
        "type": "error",
        "code": "forbidden",
        "detail": consumers.FORBIDDEN,
        "entry": entry_id,
    }


@database_sync_to_async
def share(entry: Entry, by: User, visibility: str) -> None:
    entry_set_visibility(entry=entry, by=by, visibility=visibility)


async def test_a_facilitator_loses_an_entry_at_once_when_it_is_made_private(
    connect: Connect, write: Callable[..., Entry], member: User, facilitator: User
) -> None:
    entry = await database_sync_to_async(write)(visibility="facilitators")
    page = await connect(facilitator)
    assert await page.watch(entry.pk) == {"type": "journals.watching", "entry": entry.pk}
    await share(entry, member, "private")
    assert await page.receive() == {"type": "journals.revoked", "entry": entry.pk}
    # Out of the group: shared again, then narrowed again, nothing reaches this socket.
    await share(entry, member, "facilitators")
    await share(entry, member, "private")
    assert await page.quiet()
    await page.ping()  # the socket itself stays open
    # And watching again is refused while it is private.
    assert await page.watch(entry.pk) == refused(entry.pk)


async def test_narrowing_to_facilitators_cuts_members_but_not_facilitators(
    connect: Connect,
    write: Callable[..., Entry],
    member: User,
    member2: User,
    facilitator: User,
) -> None:
    entry = await database_sync_to_async(write)(visibility="cohort")
    theirs, fac, mine = await connect(member2), await connect(facilitator), await connect(member)
    for page in (theirs, fac, mine):
        assert (await page.watch(entry.pk))["type"] == "journals.watching"
    await share(entry, member, "facilitators")
    assert await theirs.receive() == {"type": "journals.revoked", "entry": entry.pk}
    assert await fac.quiet() and await mine.quiet()


async def test_deleting_a_shared_entry_revokes_it_for_its_readers(
    connect: Connect, write: Callable[..., Entry], member: User, member2: User
) -> None:
    entry = await database_sync_to_async(write)(visibility="cohort")
    page = await connect(member2)
    await page.watch(entry.pk)
    await database_sync_to_async(entry_delete)(entry=entry, by=member)
    assert await page.receive() == {"type": "journals.revoked", "entry": entry.pk}


async def test_widening_does_not_revoke_anyone(
    connect: Connect, write: Callable[..., Entry], member: User, facilitator: User
) -> None:
    entry = await database_sync_to_async(write)(visibility="facilitators")
    page = await connect(facilitator)
    await page.watch(entry.pk)
    await share(entry, member, "cohort")
    frame = await page.receive()
    assert frame["type"] == "journals.entry_changed" and frame["entry"] == entry.pk


@pytest.mark.parametrize("who", ["member2", "other_facilitator", "staff", "outsider"])
async def test_a_private_entry_cannot_be_watched_by_anyone_else(
    connect: Connect, write: Callable[..., Entry], request: Any, who: str
) -> None:
    entry = await database_sync_to_async(write)(visibility="private")
    user = await database_sync_to_async(request.getfixturevalue)(who)
    page = await connect(user)
    assert await page.watch(entry.pk) == refused(entry.pk)
    # The same answer as for an entry that does not exist.
    assert await page.watch(entry.pk + 1000) == refused(entry.pk + 1000)


@pytest.mark.parametrize("value", [None, "7", 0, -3, True, 1.5, [1]])
async def test_a_malformed_watch_is_a_bad_request(
    connect: Connect, member: User, value: Any
) -> None:
    page = await connect(member)
    frame = await page.watch(value)
    assert (frame["type"], frame["code"]) == ("error", "bad_request")


async def test_feedback_is_announced_only_to_those_who_may_see_it(
    connect: Connect,
    write: Callable[..., Entry],
    member: User,
    member2: User,
    facilitator: User,
) -> None:
    entry = await database_sync_to_async(write)(visibility="cohort")
    author, fac, reader = await connect(member), await connect(facilitator), await connect(member2)
    for page in (author, fac, reader):
        await page.watch(entry.pk)
    comment = await database_sync_to_async(comment_create)(
        entry=entry, by=facilitator, body="What did the partner say?"
    )
    expected = {"type": "journals.comment", "entry": entry.pk, "comment": comment.pk}
    assert await author.receive() == expected
    assert await fac.receive() == expected
    # A co-member reads the entry but not the feedback between author and facilitators.
    assert await reader.quiet()


async def test_a_member_removed_from_the_cohort_loses_the_entry_at_once(
    connect: Connect, write: Callable[..., Entry], member2: User, home: Cohort, facilitator: User
) -> None:
    from cohorts.services import membership_remove

    entry = await database_sync_to_async(write)(visibility="cohort")
    page = await connect(member2)
    await page.watch(entry.pk)

    @database_sync_to_async
    def remove() -> None:
        membership = Membership.objects.get(cohort=home, user=member2)
        membership_remove(membership=membership, by=facilitator)

    await remove()
    assert await page.receive() == {"type": "journals.revoked", "entry": entry.pk}


async def test_unwatch_stops_the_events(
    connect: Connect, write: Callable[..., Entry], member: User, facilitator: User
) -> None:
    entry = await database_sync_to_async(write)(visibility="facilitators")
    page = await connect(facilitator)
    await page.watch(entry.pk)
    await page.send({"type": "journals.unwatch", "entry": entry.pk})
    assert await page.receive() == {"type": "journals.unwatched", "entry": entry.pk}
    await share(entry, member, "private")
    assert await page.quiet()
