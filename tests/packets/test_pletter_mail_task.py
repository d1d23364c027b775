"""Partner letter requests are mailed by the task worker, which forgets the link."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core import mail
from django_tasks_db.models import DBTaskResult

from packets.models import Packet
from packets.services.letters import letter_request_create, letter_request_revoke

pytestmark = pytest.mark.django_db(transaction=True)


def _ask(packet: Packet) -> tuple[object, str]:
    return letter_request_create(
        packet=packet,
        by=packet.owner,
        partner_name="Ana Ruiz",
        partner_email="ana@coop.example.net",
        message="A letter, please.",
    )


def test_the_mail_task_forgets_the_link_once_it_ran(
    packet: Packet, task_worker: Callable[[], None]
) -> None:
    _, token = _ask(packet)
    queued = DBTaskResult.objects.get(task_path__endswith="letter_request_mail_send")
    assert mail.outbox == []
    assert token in str(queued.args_kwargs)  # the link waits in the queue
    task_worker()
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"
    assert token not in str(queued.args_kwargs)  # and is forgotten once sent
    (message,) = mail.outbox
    assert message.to == ["ana@coop.example.net"] and token in message.body


def test_a_request_revoked_before_the_worker_runs_is_not_mailed(
    packet: Packet, task_worker: Callable[[], None]
) -> None:
    letter, token = _ask(packet)
    letter_request_revoke(letter=letter, by=packet.owner)  # type: ignore[arg-type]
    task_worker()
    assert mail.outbox == []
    queued = DBTaskResult.objects.get(task_path__endswith="letter_request_mail_send")
    assert token not in str(queued.args_kwargs)
