from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from accounts.models import Notification, User
from accounts.services import notify

pytestmark = pytest.mark.django_db


def test_notify_creates_in_app_notifications_and_optional_mail(
    member: User, outsider: User, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            users=[member, outsider],
            kind="test",
            title="Your cohort was approved",
            body="Well done.",
            url="/cohorts/x/",
            email=True,
        )
    assert Notification.objects.filter(kind="test").count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["member@example.org", "outsider@example.org"]
    assert "Well done." in mail.outbox[0].body
    assert "/cohorts/x/" in mail.outbox[0].body


def test_no_mail_is_sent_when_the_transaction_rolls_back(member: User) -> None:
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        notify(users=[member], kind="t", title="x", email=True)
        raise RuntimeError
    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_header_shows_unread_count_and_page_marks_read(member_client: Client, member: User) -> None:
    notify(users=[member], kind="t", title="Session moved", url="/x/")
    html = member_client.get("/dashboard/").content.decode()
    assert 'id="notifications-count">1<' in html
    page = member_client.get("/accounts/notifications/").content.decode()
    assert "Session moved" in page
    member_client.post("/accounts/notifications/read/")
    assert 'id="notifications-count"' not in member_client.get("/dashboard/").content.decode()


def test_notifications_are_private(signed_in, member: User, outsider: User) -> None:
    notify(users=[member], kind="t", title="Only for Mei")
    page = signed_in(outsider).get("/accounts/notifications/").content.decode()
    assert "Only for Mei" not in page


def test_program_staff_see_a_reviews_link_and_others_do_not(signed_in, staff, member) -> None:
    assert 'href="/cohorts/reviews/"' in signed_in(staff).get("/dashboard/").content.decode()
    assert 'href="/cohorts/reviews/"' not in signed_in(member).get("/dashboard/").content.decode()
