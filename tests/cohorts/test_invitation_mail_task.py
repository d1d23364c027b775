"""Invitation e-mails are background tasks run by the task worker."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django_tasks_db.models import DBTaskResult

from accounts.models import User
from cohorts.models import Cohort
from cohorts.services import invitation_create, invitation_revoke

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_invitation_mail_is_sent_by_the_worker_and_its_link_is_not_kept(
    cohort_in_state: Callable[..., Cohort], facilitator: User, task_worker: Callable[[], None]
) -> None:
    cohort = cohort_in_state()
    _, token = invitation_create(cohort=cohort, by=facilitator, email="new@example.net")
    queued = DBTaskResult.objects.get(task_path__endswith="invitation_mail_send")
    assert not [m for m in mail.outbox if m.to == ["new@example.net"]]
    assert token in str(queued.args_kwargs)  # the link waits in the queue

    task_worker()

    (message,) = [m for m in mail.outbox if m.to == ["new@example.net"]]
    assert token in message.body
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"
    assert token not in str(queued.args_kwargs)  # and is forgotten once sent


def test_an_invitation_withdrawn_before_the_worker_runs_is_not_mailed(
    cohort_in_state: Callable[..., Cohort], facilitator: User, task_worker: Callable[[], Any]
) -> None:
    invitation, _ = invitation_create(
        cohort=cohort_in_state(), by=facilitator, email="gone@example.net"
    )
    invitation_revoke(invitation=invitation, by=facilitator)
    task_worker()
    assert not [m for m in mail.outbox if m.to == ["gone@example.net"]]
