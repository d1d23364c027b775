"""Background work of the cohorts app: invitation e-mails."""

from __future__ import annotations

import logging

from django.core.mail import send_mail
from django_tasks import TaskContext, task

from cohorts.models import Invitation
from core.tasks import forget_arguments

logger = logging.getLogger(__name__)


@task(takes_context=True)
def invitation_mail_send(context: TaskContext, invitation_id: int, subject: str, body: str) -> bool:
    """Send one invitation e-mail, unless the invitation was withdrawn or used meanwhile.

    The body holds the single-use link, which the database keeps only as a hash: the task's
    stored arguments are blanked when it ends. A failed send is logged and not retried on
    its own (the invitation stands; the console can send it again)."""
    try:
        invitation = Invitation.objects.filter(
            pk=invitation_id, accepted_at__isnull=True, revoked_at__isnull=True
        ).first()
        if invitation is None:
            return False
        try:
            send_mail(subject, body, None, [invitation.email], fail_silently=False)
        except Exception:
            # The invitation stands (the console lists it, and it can be sent again);
            # a mail server's refusal must not undo it or turn it into an error page.
            logger.exception("invitation mail to %s failed", invitation.email)
            return False
        return True
    finally:
        forget_arguments(context)
