"""Background work of the trainings app: reminders before approvals end."""

from __future__ import annotations

from django_tasks import task


@task()
def expiry_reminders() -> int:
    """Remind providers of approvals that end soon (run daily: ``manage.py
    send_training_reminders`` enqueues it)."""
    from trainings.services import expiry_reminders_send

    return expiry_reminders_send()
