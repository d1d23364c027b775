"""(C) Background work of partner letters: the request e-mail, and telling the applicant
that a letter arrived."""

from __future__ import annotations

import logging

from django.core.mail import send_mail
from django_tasks import TaskContext, task

from core.tasks import forget_arguments
from packets.models import LetterRequest

logger = logging.getLogger(__name__)


@task(takes_context=True)
def letter_request_mail_send(context: TaskContext, letter_id: int, subject: str, body: str) -> bool:
    """Send one request e-mail, unless the request was revoked or answered meanwhile.

    The body holds the partner's link, which the database keeps only as a hash: the task's
    stored arguments are blanked when it ends. A failed send is logged; the request stands
    (the owner can revoke it and ask again)."""
    try:
        letter = LetterRequest.objects.filter(
            pk=letter_id, received_at__isnull=True, revoked_at__isnull=True
        ).first()
        if letter is None:
            return False
        try:
            send_mail(subject, body, None, [letter.partner_email], fail_silently=False)
        except Exception:
            logger.exception("letter request mail %s failed", letter_id)
            return False
        return True
    finally:
        forget_arguments(context)


@task()
def letter_received_notify(letter_id: int) -> int:
    """Tell the packet's owner that their partner's letter arrived (if they still hold the
    packet and the account is active when the task runs)."""
    from accounts.services import notify
    from packets.permissions import can_edit_packet

    letter = (
        LetterRequest.objects.select_related("packet__owner", "packet__area")
        .filter(pk=letter_id, received_at__isnull=False)
        .first()
    )
    if letter is None:
        return 0
    owner = letter.packet.owner
    if not can_edit_packet(owner, letter.packet):
        return 0
    notify(
        users=[owner],
        kind="packets.letter",
        title=f"{letter.partner_name} sent a letter for your {letter.packet.area.name} packet",
        url=letter.packet.get_absolute_url() + "#letters",
    )
    return 1
