"""Background work of the accounts app: instant notification e-mails and the digests."""

from __future__ import annotations

from django_tasks import task

from accounts.models import Notification
from accounts.services import _send_instant, digests_send, instant_mails_retry


@task()
def notification_mail_send(note_id: int, text: str) -> bool:
    """E-mail one instant notification and mark it e-mailed. A notification that was
    e-mailed meanwhile (a retry got there first) or deleted is skipped, so running this
    twice never sends twice. A failure is logged and left for :func:`instant_mails_retry`
    (``send_digests``)."""
    note = (
        Notification.objects.select_related("user")
        .filter(pk=note_id, emailed_at__isnull=True, user__is_active=True)
        .first()
    )
    if note is None:
        return False
    return _send_instant(note, note.user, text)


@task()
def digests_send_task(force: bool = False) -> dict[str, int]:
    """The daily digests, then the instant e-mails of the last day that failed."""
    people, notes = digests_send(force=force)
    sent, failed = instant_mails_retry()
    return {"people": people, "notes": notes, "retried": sent, "failed": failed}
