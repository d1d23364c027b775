"""Account deletion: a clear statement built from the data sources, confirmation by e-mail
and password, then deletion at once — private things gone from the database and the disk,
shared posts and resources attributed to "A former member", signed out, sockets cut."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.models import Notification, User
from accounts.services_data import account_delete, deletion_summary
from cohorts.models import Attendance, Membership
from config.asgi import application
from core.consumers import CLOSE_UNAUTHENTICATED
from core.data import DELETED, KEPT
from discussions.models import Post, Thread
from files.models import Export, StoredFile
from journals.models import Entry, Evidence, SelfAssessment, SelfRating
from packets.models import LetterRequest, Packet, Section
from resources.models import Resource
from tests.accounts import mydata_fixtures
from tests.accounts.mydata_fixtures import Life
from tests.conftest import PASSWORD

life = mydata_fixtures.life
_media = mydata_fixtures._media


def _confirm(user: User, **overrides: str) -> dict[str, str]:
    return {"email": user.email, "password": PASSWORD, **overrides}


@pytest.mark.django_db
def test_deletion_page_states_what_goes_and_what_stays(
    life: Life, signed_in: Callable[[User], Client]
) -> None:
    page = signed_in(life.person).get(reverse("accounts:delete")).content.decode()
    removed, kept = page.split("What stays", 1)
    assert "Journal entries, with their evidence" in removed
    assert "Self-assessments" in removed
    assert "Application packets" in removed
    assert "Discussion posts" in kept
    assert "Resources you shared" in kept
    assert "A former member" in kept


@pytest.mark.django_db
def test_deletion_summary_counts_per_fate(life: Life) -> None:
    lines = {
        line.label: (line.count, line.fate)
        for summary in deletion_summary(user=life.person)
        for line in summary.lines
    }
    assert lines["Self-assessments"] == (1, DELETED)
    assert lines["Files you attached to entries"] == (1, DELETED)
    assert (1, KEPT) in [v for k, v in lines.items() if k.startswith("Discussion posts")]
    assert (1, KEPT) in [v for k, v in lines.items() if k.startswith("Resources you shared")]


@pytest.mark.django_db
def test_deletion_refuses_a_wrong_email_and_keeps_what_was_typed(
    life: Life, signed_in: Callable[[User], Client]
) -> None:
    client = signed_in(life.person)
    response = client.post(
        reverse("accounts:delete"), _confirm(life.person, email="someone@else.example")
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "This is not the e-mail address of your account" in body
    assert 'value="someone@else.example"' in body
    assert User.objects.filter(pk=life.person.pk).exists()


@pytest.mark.django_db
def test_deletion_refuses_a_wrong_password(life: Life, signed_in: Callable[[User], Client]) -> None:
    response = signed_in(life.person).post(
        reverse("accounts:delete"), _confirm(life.person, password="not-my-password")
    )
    assert response.status_code == 400
    assert "This is not your password." in response.content.decode()
    assert User.objects.filter(pk=life.person.pk).exists()


@pytest.mark.django_db
def test_wrong_passwords_are_limited(member: User, signed_in: Callable[[User], Client]) -> None:
    client = signed_in(member)
    for _ in range(10):
        client.post(reverse("accounts:delete"), _confirm(member, password="guess"))
    response = client.post(reverse("accounts:delete"), _confirm(member))
    assert response.status_code == 400
    assert "Too many wrong passwords today" in response.content.decode()
    assert User.objects.filter(pk=member.pk).exists()


@pytest.mark.django_db
def test_deletion_needs_a_signed_in_person(anon: Client) -> None:
    response = anon.post(reverse("accounts:delete"), {"email": "x@example.org"})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_deletion_signs_out_and_goes_home_with_a_message(
    life: Life, signed_in: Callable[[User], Client], django_capture_on_commit_callbacks: Any
) -> None:
    client = signed_in(life.person)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:delete"), _confirm(life.person), follow=True)
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "Your account is deleted" in response.content.decode()
    assert not User.objects.filter(pk=life.person.pk).exists()
    assert client.get(reverse("accounts:profile")).status_code == 302  # signed out


@pytest.mark.django_db
def test_deletion_leaves_nothing_private_in_the_database_or_on_disk(
    life: Life, django_capture_on_commit_callbacks: Any
) -> None:
    person = life.person
    private_files = [life.evidence_file, life.letter_file]
    paths = [f.path for f in private_files]
    assert all(p.exists() for p in paths)
    with django_capture_on_commit_callbacks(execute=True):
        account_delete(user=person)

    assert not User.objects.filter(pk=person.pk).exists()
    assert not User.objects.filter(email__iexact=person.email).exists()
    assert not Entry.objects.filter(pk=life.entry.pk).exists()
    assert not Evidence.objects.filter(entry_id=life.entry.pk).exists()
    assert not SelfAssessment.objects.filter(pk=life.assessment.pk).exists()
    assert not SelfRating.objects.filter(assessment_id=life.assessment.pk).exists()
    assert not Packet.objects.filter(pk=life.packet.pk).exists()
    assert not Section.objects.filter(packet_id=life.packet.pk).exists()
    assert not LetterRequest.objects.filter(packet_id=life.packet.pk).exists()
    assert not Membership.objects.filter(user_id=person.pk).exists()
    assert not Attendance.objects.filter(user_id=person.pk).exists()
    assert not Notification.objects.filter(user_id=person.pk).exists()
    assert not StoredFile.objects.filter(pk__in=[f.pk for f in private_files]).exists()
    assert not any(p.exists() for p in paths)
    # Nothing the person wrote privately survives anywhere as text.
    assert not Entry.objects.filter(body__contains="Only for me").exists()


@pytest.mark.django_db
def test_deletion_keeps_shared_posts_and_resources_by_a_former_member(
    life: Life,
    signed_in: Callable[[User], Client],
    api: Callable[..., Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        account_delete(user=life.person)
    post = Post.objects.get(pk=life.post.pk)
    assert post.author_id is None
    assert post.body == "Who decides the agenda?"
    assert post.author_name == "A former member"
    assert Post.objects.get(pk=life.reply.pk).author_id == life.other.pk
    assert Thread.objects.get(pk=life.thread.pk).created_by_id is None
    resource = Resource.objects.get(pk=life.resource.pk)
    assert resource.contributor_id is None

    page = signed_in(life.other).get(life.thread.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert "A former member" in html
    assert "Who decides the agenda?" in html
    assert life.person.name not in html

    posts = api(life.other).get(f"/api/v1/threads/{life.thread.pk}/posts/").json()["results"]
    first = next(p for p in posts if p["id"] == life.post.pk)
    assert first["author"] == {"id": None, "name": "A former member"}


@pytest.mark.django_db
def test_deletion_removes_the_persons_exports_and_their_files(
    member: User, django_capture_on_commit_callbacks: Any
) -> None:
    from accounts.services_data import data_export_request

    with django_capture_on_commit_callbacks(execute=True):
        export = data_export_request(user=member)
    export.refresh_from_db()
    path = export.path
    assert path is not None and path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        account_delete(user=member)
    assert not Export.objects.filter(pk=export.pk).exists()
    assert not path.exists()


@pytest.mark.django_db
def test_a_file_someone_else_still_holds_is_kept(
    life: Life, django_capture_on_commit_callbacks: Any
) -> None:
    """The upload module's rows are deleted only when nothing else refers to them."""
    from journals.services import EntryInput, entry_create

    others_entry = entry_create(author=life.other, data=EntryInput(title="Mine", body="."))
    Evidence.objects.create(entry=others_entry, kind="file", file=life.evidence_file)
    with django_capture_on_commit_callbacks(execute=True):
        account_delete(user=life.person)
    assert StoredFile.objects.filter(pk=life.evidence_file.pk).exists()
    assert life.evidence_file.path.exists()


# --- the socket is cut -----------------------------------------------------------------------

TIMEOUT = 3


@sync_to_async
def _signed_in_client(user: User) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


async def _open(client: Client) -> WebsocketCommunicator:
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    communicator = WebsocketCommunicator(
        application,
        "/ws/",
        headers=[
            (b"origin", b"http://testserver"),
            (b"host", b"testserver"),
            (b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()),
        ],
    )
    connected, _ = await communicator.connect()
    assert connected
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from(timeout=TIMEOUT) == {"type": "pong"}
    return communicator


async def _closed_with(communicator: WebsocketCommunicator) -> int:
    while True:
        output = await communicator.receive_output(timeout=TIMEOUT)
        if output["type"] == "websocket.close":
            return int(output["code"])


@pytest.mark.django_db(transaction=True)
async def test_deletion_closes_every_socket_of_the_person(make_user: Callable[..., User]) -> None:
    person = await sync_to_async(make_user)("leaving@example.org", name="Lee Leaving")
    stayer = await sync_to_async(make_user)("staying@example.org", name="Sam Staying")
    browser = await _signed_in_client(person)
    other_browser = await _signed_in_client(person)
    stayer_browser = await _signed_in_client(stayer)
    sockets = [await _open(browser), await _open(other_browser)]
    stayer_socket = await _open(stayer_browser)
    try:
        response = await sync_to_async(browser.post)(
            reverse("accounts:delete"), {"email": person.email, "password": PASSWORD}
        )
        assert response.status_code == 302
        for socket in sockets:
            assert await _closed_with(socket) in (CLOSE_UNAUTHENTICATED, 4001)
        # Someone else's socket is untouched.
        await stayer_socket.send_json_to({"type": "ping"})
        assert await stayer_socket.receive_json_from(timeout=TIMEOUT) == {"type": "pong"}
        # And the deleted person cannot open a new one with the old cookie.
        cookie = other_browser.cookies[settings.SESSION_COOKIE_NAME].value
        again = WebsocketCommunicator(
            application,
            "/ws/",
            headers=[
                (b"origin", b"http://testserver"),
                (b"host", b"testserver"),
                (b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()),
            ],
        )
        await again.connect()
        assert await _closed_with(again) == CLOSE_UNAUTHENTICATED
    finally:
        for socket in [*sockets, stayer_socket]:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await socket.disconnect()
