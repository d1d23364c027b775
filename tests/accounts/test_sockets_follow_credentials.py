"""A socket lives no longer than the login session it was opened with: a password change,
an ended session, deactivation and loss of the staff role close or re-check the person's
sockets at once. Driven through the full ASGI application with real session cookies."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.test import Client

from accounts.models import User
from accounts.roles import PlatformRole
from config.asgi import application
from core.consumers import CLOSE_REAUTHENTICATE, CLOSE_UNAUTHENTICATED
from discussions.models import Thread
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.django_db(transaction=True)]

TIMEOUT = 3
NEW_PASSWORD = "a-brand-new-passphrase-42"


@sync_to_async
def signed_in_client(user: User) -> Client:
    """A browser session made by a real sign-in (the session cookie the socket presents)."""
    client = Client()
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[-6000:]
    return client


def session_key(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


OpenSocket = Callable[[Client], Awaitable[WebsocketCommunicator]]


@pytest.fixture
async def open_socket() -> AsyncIterator[OpenSocket]:
    opened: list[WebsocketCommunicator] = []

    async def open_one(client: Client) -> WebsocketCommunicator:
        headers = [
            (b"origin", b"http://testserver"),
            (b"host", b"testserver"),
            (b"cookie", f"{settings.SESSION_COOKIE_NAME}={session_key(client)}".encode()),
        ]
        communicator = WebsocketCommunicator(application, "/ws/", headers=headers)
        connected, _ = await communicator.connect()
        assert connected
        opened.append(communicator)
        await communicator.send_json_to({"type": "ping"})
        assert await communicator.receive_json_from(timeout=TIMEOUT) == {"type": "pong"}
        return communicator

    yield open_one
    for communicator in opened:
        with contextlib.suppress(Exception, asyncio.CancelledError):  # already closed
            await communicator.disconnect()


async def closed_with(communicator: WebsocketCommunicator) -> int:
    while True:
        output = await communicator.receive_output(timeout=TIMEOUT)
        if output["type"] == "websocket.close":
            return int(output["code"])


async def still_open(communicator: WebsocketCommunicator) -> bool:
    await communicator.send_json_to({"type": "ping"})
    while True:
        output = await communicator.receive_output(timeout=TIMEOUT)
        if output["type"] == "websocket.close":
            return False
        if output.get("text") == '{"type":"pong"}':
            return True


async def reconnect_code(client: Client) -> int | None:
    """What a reconnect with this browser's cookie gets: None when it stays open."""
    headers = [
        (b"origin", b"http://testserver"),
        (b"host", b"testserver"),
        (b"cookie", f"{settings.SESSION_COOKIE_NAME}={session_key(client)}".encode()),
    ]
    communicator = WebsocketCommunicator(application, "/ws/", headers=headers)
    connected, _ = await communicator.connect()
    assert connected
    try:
        if await communicator.receive_nothing(timeout=0.3):
            return None
        return await closed_with(communicator)
    finally:
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await communicator.disconnect()


async def test_password_change_in_another_session_closes_this_sessions_socket(
    member: User, open_socket: OpenSocket
) -> None:
    browser_a = await signed_in_client(member)
    browser_b = await signed_in_client(member)
    socket_a = await open_socket(browser_a)

    @sync_to_async
    def change_password_in_b() -> None:
        response = browser_b.post(
            "/accounts/password/change/",
            {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        )
        assert response.status_code == 302, response.content[:1000]

    await change_password_in_b()
    assert await closed_with(socket_a) == CLOSE_REAUTHENTICATE
    # The client reconnects on that code: session A is signed out, session B (kept alive by
    # the change) is not.
    assert await reconnect_code(browser_a) == CLOSE_UNAUTHENTICATED
    assert await reconnect_code(browser_b) is None


async def test_set_password_outside_any_request_closes_the_persons_sockets(
    member: User, open_socket: OpenSocket
) -> None:
    browser = await signed_in_client(member)
    socket = await open_socket(browser)

    @database_sync_to_async
    def reset_password() -> None:
        user = User.objects.get(pk=member.pk)
        user.set_password(NEW_PASSWORD)
        user.save()

    await reset_password()
    assert await closed_with(socket) == CLOSE_REAUTHENTICATE


async def test_ended_session_closes_its_socket(member: User, open_socket: OpenSocket) -> None:
    browser = await signed_in_client(member)
    socket = await open_socket(browser)
    await database_sync_to_async(Session.objects.filter(session_key=session_key(browser)).delete)()
    assert await closed_with(socket) == CLOSE_REAUTHENTICATE
    assert await reconnect_code(browser) == CLOSE_UNAUTHENTICATED


async def test_deactivation_closes_the_persons_sockets(
    member: User, open_socket: OpenSocket
) -> None:
    browser = await signed_in_client(member)
    socket = await open_socket(browser)

    @database_sync_to_async
    def deactivate() -> None:
        user = User.objects.get(pk=member.pk)
        user.is_active = False
        user.save()

    await deactivate()
    assert await closed_with(socket) == CLOSE_REAUTHENTICATE
    assert await reconnect_code(browser) == CLOSE_UNAUTHENTICATED


async def test_unrelated_profile_change_leaves_the_socket_open(
    member: User, open_socket: OpenSocket
) -> None:
    browser = await signed_in_client(member)
    socket = await open_socket(browser)

    @database_sync_to_async
    def rename() -> None:
        user = User.objects.get(pk=member.pk)
        user.name = "Morgan Renamed"
        user.save()

    await rename()
    assert await still_open(socket)


async def test_subscribe_after_the_session_was_invalidated_is_refused(
    member: User, open_socket: OpenSocket
) -> None:
    browser = await signed_in_client(member)
    socket = await open_socket(browser)

    @database_sync_to_async
    def change_password_quietly() -> None:
        # A write that no signal sees (a bulk update): only the subscribe-time check is left.
        from django.contrib.auth.hashers import make_password

        User.objects.filter(pk=member.pk).update(password=make_password(NEW_PASSWORD))

    await change_password_quietly()
    await socket.send_json_to({"type": "subscribe", "thread": 1, "after": None})
    assert await closed_with(socket) == CLOSE_REAUTHENTICATE


async def test_loss_of_program_staff_role_rechecks_the_sockets_threads(
    staff: User, other_thread: Thread, open_socket: OpenSocket
) -> None:
    thread = other_thread  # a cohort staff may read only as staff
    browser = await signed_in_client(staff)
    socket = await open_socket(browser)
    await socket.send_json_to({"type": "subscribe", "thread": thread.pk, "after": None})
    while (frame := await socket.receive_json_from(timeout=TIMEOUT))["type"] != "subscribed":
        pass

    @database_sync_to_async
    def revoke_staff() -> None:
        user = User.objects.get(pk=staff.pk)
        user.groups.remove(Group.objects.get(name=PlatformRole.PROGRAM_STAFF.value))

    await revoke_staff()
    while (frame := await socket.receive_json_from(timeout=TIMEOUT))["type"] == "presence":
        pass
    assert frame == {
        "type": "error",
        "code": "forbidden",
        "detail": "You cannot follow this thread.",
        "thread": thread.pk,
    }
    assert await still_open(socket)
