"""Send the daily notification digest. Run it once a day (cron or a systemd timer; see the
README, "Notifications and digests"): it queues the work as a background task for the
workers (``accounts.tasks.digests_send_task``), or does it here with ``--now``.
Safe to run more often: each notification is e-mailed once, and nobody gets more than one
digest in 20 hours. It also sends again the instant e-mails of the last day that failed (a
mail server that was down), so run it at least daily; hourly is fine."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tasks import TaskResultStatus

from accounts.tasks import digests_send_task


class Command(BaseCommand):
    help = "E-mail each person one digest of their unsent daily-digest notifications."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Send even to people who had a digest in the last 20 hours.",
        )
        parser.add_argument(
            "--now",
            action="store_true",
            help="Send in this process instead of queueing a task for the workers.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["now"]:
            counts = digests_send_task.call(force=options["force"])
        else:
            result = digests_send_task.enqueue(force=options["force"])
            if not result.is_finished:
                self.stdout.write(f"Digests queued for the task workers (task {result.id}).")
                return
            if result.status == TaskResultStatus.FAILED:
                raise CommandError("The digest task failed; the log has the error.")
            counts = result.return_value
        self.stdout.write(
            f"Digests sent: {counts['people']} people, {counts['notes']} notifications."
        )
        if counts["retried"] or counts["failed"]:
            self.stdout.write(
                f"Failed instant e-mails retried: {counts['retried']} sent, "
                f"{counts['failed']} failed again."
            )
