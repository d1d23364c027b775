"""Instant notification e-mails and digests are background tasks run by the task worker."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.models import Delivery, Notification, User
from accounts.services import notify

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_instant_mail_is_queued_after_commit_and_sent_by_the_worker(
    member: User, task_worker: Callable[[], None]
) -> None:
    (note,) = notify(users=[member], kind="session.changed", title="Session moved", email=True)
    assert DBTaskResult.objects.filter(task_path__endswith="notification_mail_send").count() == 1
    assert mail.outbox == []  # queued, not sent by the request

    task_worker()

    (message,) = mail.outbox
    assert message.to == [member.email] and "Session moved" in message.subject
    note.refresh_from_db()
    assert note.emailed_at is not None
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_a_queued_mail_already_sent_by_the_retry_is_not_sent_twice(
    member: User, task_worker: Callable[[], None]
) -> None:
    (note,) = notify(users=[member], kind="session.changed", title="Once", email=True)
    Notification.objects.filter(pk=note.pk).update(emailed_at=timezone.now())
    task_worker()
    assert mail.outbox == []


def test_a_mail_the_server_refuses_is_logged_and_left_for_the_retry(
    member: User, task_worker: Callable[[], None], settings: Any, caplog: Any
) -> None:
    settings.EMAIL_BACKEND = "tests.helpers.BrokenBackend"
    (note,) = notify(users=[member], kind="session.changed", title="Later", email=True)
    task_worker()
    note.refresh_from_db()
    assert note.emailed_at is None and note.delivery == Delivery.INSTANT
    assert "it will be retried" in caplog.text


def test_send_digests_queues_one_task_that_the_worker_runs(
    member: User, task_worker: Callable[[], None]
) -> None:
    (note,) = notify(users=[member], kind="discussions.reply", title="A reply", email=None)
    Notification.objects.filter(pk=note.pk).update(created_at=timezone.now() - timedelta(hours=1))
    out = io.StringIO()
    call_command("send_digests", stdout=out)
    assert "Digests queued for the task workers" in out.getvalue()
    assert mail.outbox == []

    task_worker()

    (message,) = mail.outbox
    assert "digest" in message.subject and "A reply" in message.body
    assert DBTaskResult.objects.get().return_value["people"] == 1
