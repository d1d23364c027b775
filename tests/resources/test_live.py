"""Open repertoire pages hear about new resources over /ws/, driven through the full ASGI
application (session auth, origin check, routing) on a transactional database, so resources
really commit before they are published. The same permission checks as the pages: outsiders
are refused, a removed member stops hearing at once, hidden resources are never announced."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth.models import Group

from accounts.models import User
from accounts.roles import PlatformRole
from cohorts.models import Cohort, Membership
from config.asgi import application
from core.realtime import get_event_hook
from resources import consumers
from resources.models import Resource
from resources.services import (
    ResourceInput,
    resource_create,
    resource_delete,
    resource_edit,
    resource_set_hidden,
)
from tests.discussions.test_consumer import Socket, session_for

pytestmark = [pytest.mark.django_db(transaction=True)]

# Frames that come and go around the ones a test is about.
QUIET = ("presence", "notification", "membership.ended")


class Page(Socket):
    async def receive(self, *, skip: tuple[str, ...] = QUIET) -> dict[str, Any]:
        return await super().receive(skip=skip)

    async def quiet(self, *, skip: tuple[str, ...] = QUIET, timeout: float = 0.3) -> bool:
        return await super().quiet(skip=skip, timeout=timeout)

    async def follow(self, slug: str, after: int | None = None) -> list[dict[str, Any]]:
        """Follow a cohort; every frame up to and including the answer."""
        message: dict[str, Any] = {"type": "resources.follow", "cohort": slug}
        if after is not None:
            message["after"] = after
        await self.send(message)
        frames = []
        while True:
            frame = await self.receive()
            frames.append(frame)
            if frame["type"] in ("resources.following", "error"):
                return frames


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


@database_sync_to_async
def share(cohort: Cohort, by: User, title: str = "A guide", **fields: Any) -> Resource:
    return resource_create(
        cohort=cohort,
        by=by,
        kind="link",
        data=ResourceInput(title=title, url="https://example.org/guide", **fields),
    )


async def test_a_member_following_their_cohort_hears_of_a_new_resource(
    connect: Connect, home: Cohort, member: User, member2: User
) -> None:
    page = await connect(member)
    assert await page.follow(home.slug) == [{"type": "resources.following", "cohort": home.slug}]
    resource = await share(home, member2, "Asset mapping guide")
    frame = await page.receive()
    assert frame["type"] == "resource.created" and frame["cohort"] == home.slug
    event = frame["resource"]
    assert event["id"] == resource.pk and event["title"] == "Asset mapping guide"
    assert event["kind"] == "link" and event["kind_label"] == "Link"
    assert event["contributor"] == "Mateo Member"
    assert event["url"] == f"/resources/{resource.pk}/"
    assert event["created_at"]


async def test_a_resource_rolled_back_is_never_announced(
    connect: Connect, home: Cohort, member: User, member2: User
) -> None:
    from django.db import transaction

    page = await connect(member)
    await page.follow(home.slug)

    @database_sync_to_async
    def share_then_fail() -> None:
        with contextlib.suppress(RuntimeError), transaction.atomic():
            resource_create(
                cohort=home,
                by=member2,
                kind="note",
                data=ResourceInput(title="Never", body="Rolled back"),
            )
            raise RuntimeError

    await share_then_fail()
    assert await page.quiet()


@pytest.mark.parametrize("which", ["theirs", "missing"])
async def test_an_outsider_is_refused_and_hears_nothing(
    connect: Connect, home: Cohort, outsider: User, member2: User, which: str
) -> None:
    page = await connect(outsider)
    frames = await page.follow(home.slug if which == "theirs" else "no-such-cohort")
    # The same answer for a cohort that exists and one that does not.
    assert frames == [
        {"type": "error", "code": "forbidden", "detail": consumers.FORBIDDEN},
    ]
    await share(home, member2)
    assert await page.quiet()
    await page.ping()  # the refusal did not close the socket


@pytest.mark.parametrize("value", [None, 7, "bad slug!", "x" * 65])
async def test_a_malformed_follow_is_a_bad_request(
    connect: Connect, member: User, home: Cohort, value: Any
) -> None:
    page = await connect(member)
    frames = await page.follow(value)
    assert (frames[0]["type"], frames[0]["code"]) == ("error", "bad_request")


async def test_a_removed_member_stops_hearing_at_once(
    connect: Connect, home: Cohort, member: User, member2: User, facilitator: User
) -> None:
    from cohorts.services import membership_remove

    theirs, mine = await connect(member), await connect(member2)
    await theirs.follow(home.slug)
    await mine.follow(home.slug)

    @database_sync_to_async
    def remove() -> None:
        membership = Membership.objects.get(cohort=home, user=member)
        membership_remove(membership=membership, by=facilitator)

    await remove()
    cut = await theirs.receive()
    assert cut == {
        "type": "error",
        "code": "forbidden",
        "detail": consumers.FORBIDDEN,
        "cohort": home.slug,
    }
    resource = await share(home, member2, "After the removal")
    assert (await mine.receive())["resource"]["id"] == resource.pk
    assert await theirs.quiet()
    # And they cannot come back in.
    frames = await theirs.follow(home.slug)
    assert (frames[0]["type"], frames[0]["code"]) == ("error", "forbidden")


async def test_following_again_checks_the_right_afresh(
    connect: Connect, home: Cohort, member: User, member2: User
) -> None:
    page = await connect(member)
    await page.follow(home.slug)

    @database_sync_to_async
    def lose_access_quietly() -> None:
        # A change no event announces: only the next follow (e.g. after a reconnect) sees it.
        User.objects.get(pk=member.pk).groups.remove(home.member_group)

    await lose_access_quietly()
    frames = await page.follow(home.slug)
    assert (frames[0]["type"], frames[0]["code"]) == ("error", "forbidden")
    await share(home, member2)
    assert await page.quiet()


def test_both_apps_hear_when_a_membership_ends() -> None:
    from core.realtime import _event_hooks
    from discussions import consumers as discussion_consumers

    assert get_event_hook("membership.ended") is not None
    hooks = _event_hooks["membership.ended"]
    assert consumers.membership_ended in hooks
    assert discussion_consumers.membership_ended in hooks


async def test_a_staff_member_who_loses_the_role_stops_hearing(
    connect: Connect, home: Cohort, staff: User, member2: User
) -> None:
    page = await connect(staff)
    assert (await page.follow(home.slug))[-1]["type"] == "resources.following"

    @database_sync_to_async
    def revoke_staff() -> None:
        user = User.objects.get(pk=staff.pk)
        user.groups.remove(Group.objects.get(name=PlatformRole.PROGRAM_STAFF.value))

    await revoke_staff()
    cut = await page.receive()
    assert (cut["type"], cut["code"], cut["cohort"]) == ("error", "forbidden", home.slug)
    await share(home, member2)
    assert await page.quiet()


async def test_hiding_removes_it_and_edits_of_a_hidden_resource_are_not_announced(
    connect: Connect, home: Cohort, member: User, member2: User, facilitator: User
) -> None:
    page = await connect(member)
    await page.follow(home.slug)
    resource = await share(home, member2, "Soon hidden")
    assert (await page.receive())["type"] == "resource.created"
    await database_sync_to_async(resource_set_hidden)(
        resource=resource, by=facilitator, hidden=True
    )
    assert await page.receive() == {
        "type": "resource.removed",
        "cohort": home.slug,
        "id": resource.pk,
    }
    # Its contributor may still edit it: the cohort must not hear the new title.
    await database_sync_to_async(resource_edit)(
        resource=resource,
        by=member2,
        data=ResourceInput(title="Secret new title", url="https://example.org/guide"),
    )
    assert await page.quiet()
    await database_sync_to_async(resource_set_hidden)(
        resource=resource, by=facilitator, hidden=False
    )
    back = await page.receive()
    assert back["type"] == "resource.created" and back["resource"]["id"] == resource.pk


async def test_deleting_removes_it_from_open_pages(
    connect: Connect, home: Cohort, member: User, member2: User
) -> None:
    page = await connect(member)
    await page.follow(home.slug)
    resource = await share(home, member2)
    await page.receive()
    await database_sync_to_async(resource_delete)(resource=resource, by=member2)
    assert await page.receive() == {
        "type": "resource.removed",
        "cohort": home.slug,
        "id": resource.pk,
    }


async def test_following_after_an_id_replays_what_was_missed_in_order(
    connect: Connect, home: Cohort, member: User, member2: User, facilitator: User
) -> None:
    seen = await share(home, member2, "Seen")
    missed = [await share(home, member2, f"Missed {i}") for i in range(2)]
    hidden = await share(home, member2, "Hidden")
    await database_sync_to_async(resource_set_hidden)(resource=hidden, by=facilitator, hidden=True)
    page = await connect(member)
    frames = await page.follow(home.slug, after=seen.pk)
    assert [f["type"] for f in frames] == ["resource.created"] * 2 + ["resources.following"]
    assert [f["resource"]["id"] for f in frames[:2]] == [r.pk for r in missed]
    # Following again is idempotent and replays only what is asked.
    again = await page.follow(home.slug)
    assert again == [{"type": "resources.following", "cohort": home.slug}]


async def test_unfollow_stops_the_events(
    connect: Connect, home: Cohort, member: User, member2: User
) -> None:
    page = await connect(member)
    await page.follow(home.slug)
    await page.send({"type": "resources.unfollow", "cohort": home.slug})
    assert await page.receive() == {"type": "resources.unfollowed", "cohort": home.slug}
    await share(home, member2)
    assert await page.quiet()


async def test_events_of_another_cohort_do_not_reach_this_page(
    connect: Connect,
    home: Cohort,
    member: User,
    facilitator: User,
    make_cohort: Callable[..., Cohort],
) -> None:
    other = await database_sync_to_async(make_cohort)(by=facilitator, title="Another cohort")
    page = await connect(member)
    await page.follow(home.slug)
    await share(other, facilitator)
    assert await page.quiet()


# --- the page's script -------------------------------------------------------------------


def test_the_repertoire_script_inserts_announces_and_removes_cards_safely() -> None:
    """static/js/repertoire.js against a stand-in DOM and socket client, in Node (see
    repertoire_check.mjs): the card markup of the contract, event text only ever as text,
    de-duplication by id, removal, and the follow message with the newest id shown."""
    import shutil
    import subprocess
    from pathlib import Path

    node = shutil.which("node")
    if node is None:
        pytest.skip("needs Node.js to run the page script")
    root = Path(settings.BASE_DIR)
    result = subprocess.run(
        [node, str(Path(__file__).with_name("repertoire_check.mjs")),
         str(root / "static" / "js" / "repertoire.js")],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr or result.stdout
