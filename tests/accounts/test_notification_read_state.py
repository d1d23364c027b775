"""One notification at a time: opening it from the inbox marks it read, each can be marked
read or unread with a POST form (no JavaScript needed), and every change of the unread count
is pushed to the person's sockets so the header count in their other tabs follows."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import Notification, User
from accounts.services import notify

pytestmark = pytest.mark.django_db


@pytest.fixture
def pushed(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    sent: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(
        services, "publish_on_commit", lambda group, payload, **kw: sent.append((group, payload))
    )
    return sent


def _counts(pushed: list[tuple[str, dict[str, Any]]]) -> list[tuple[str, int]]:
    return [(g, p["unread"]) for g, p in pushed if p["type"] == "notifications.count"]


def _three(user: User) -> list[Notification]:
    return [
        notify(users=[user], kind="t", title=f"Note {i}", url=f"/cohorts/x/#{i}")[0]
        for i in range(3)
    ]


def _header_count(client: Client) -> str | None:
    html = client.get("/dashboard/").content.decode()
    marker = 'id="notifications-count">'
    if marker not in html:
        return None
    return html.split(marker, 1)[1].split("<", 1)[0]


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(
    member_client: Client, member: User
) -> None:
    notes = _three(member)
    assert _header_count(member_client) == "3"
    response = member_client.post(reverse("accounts:notification_open", args=[notes[1].pk]))
    assert response.status_code == 303
    assert response["Location"] == "/cohorts/x/#1"
    notes[1].refresh_from_db()
    assert notes[1].read_at is not None
    assert _header_count(member_client) == "2"


def test_the_inbox_opens_each_notification_through_a_post_form(
    member_client: Client, member: User
) -> None:
    note = _three(member)[0]
    page = member_client.get("/accounts/notifications/").content.decode()
    assert f'action="{reverse("accounts:notification_open", args=[note.pk])}"' in page
    assert f'action="{reverse("accounts:notification_read", args=[note.pk])}"' in page
    # Opening is never a side effect of a GET (a link on another site cannot mark it read).
    opened = member_client.get(reverse("accounts:notification_open", args=[note.pk]))
    assert opened.status_code == 405
    note.refresh_from_db()
    assert note.read_at is None


def test_a_notification_pointing_off_site_opens_the_inbox_instead(
    member_client: Client, member: User
) -> None:
    note = notify(users=[member], kind="t", title="Odd", url="https://evil.example/")[0]
    response = member_client.post(reverse("accounts:notification_open", args=[note.pk]))
    assert response["Location"] == reverse("accounts:notifications")
    note.refresh_from_db()
    assert note.read_at is not None


def test_a_single_notification_can_be_marked_read_and_unread(
    member_client: Client, member: User
) -> None:
    notes = _three(member)
    response = member_client.post(reverse("accounts:notification_read", args=[notes[0].pk]))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:notifications')}#notification-{notes[0].pk}"
    assert list(Notification.objects.filter(read_at__isnull=False)) == [notes[0]]
    page = member_client.get("/accounts/notifications/").content.decode()
    assert f'action="{reverse("accounts:notification_unread", args=[notes[0].pk])}"' in page
    member_client.post(reverse("accounts:notification_unread", args=[notes[0].pk]))
    assert not Notification.objects.filter(read_at__isnull=False).exists()
    assert _header_count(member_client) == "3"


def test_someone_elses_notification_cannot_be_opened_or_changed(
    signed_in: Any, member: User, outsider: User
) -> None:
    note = notify(users=[member], kind="t", title="Only for Mei", url="/x/")[0]
    client = signed_in(outsider)
    for name in ("notification_open", "notification_read", "notification_unread"):
        assert client.post(reverse(f"accounts:{name}", args=[note.pk])).status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_read_changes_push_the_new_unread_count_to_the_persons_sockets(
    member: User, pushed: list[tuple[str, dict[str, Any]]]
) -> None:
    notes = _three(member)
    pushed.clear()
    services.notification_set_read(user=member, notification_id=notes[0].pk, read=True)
    services.notification_set_read(user=member, notification_id=notes[0].pk, read=True)
    services.notification_set_read(user=member, notification_id=notes[0].pk, read=False)
    services.notifications_mark_read(user=member)
    group = f"user.{member.pk}"
    # Nothing changed on the second call, so nothing is pushed for it.
    assert _counts(pushed) == [(group, 2), (group, 3), (group, 0)]


def test_marking_some_notifications_read_leaves_the_others(member: User) -> None:
    notes = _three(member)
    assert services.notifications_mark_read(user=member, ids=[notes[0].pk, notes[2].pk]) == 2
    unread = Notification.objects.filter(user=member, read_at__isnull=True)
    assert list(unread) == [notes[1]]
