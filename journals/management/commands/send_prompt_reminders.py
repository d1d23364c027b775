"""Remind members of reflection prompts due soon that they have not answered. Run it once a
day (cron or a systemd timer, like ``send_digests``): it queues the work as a background
task for the workers (``journals.tasks.prompt_reminders``), or does it here with ``--now``.
Safe to run more often: each person is reminded of a prompt once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tasks import TaskResultStatus

from journals.services.prompts import reminder_days


class Command(BaseCommand):
    help = (
        "Remind members of reflection prompts due within JOURNAL_PROMPT_REMINDER_DAYS days "
        "(default 2) that they have not answered yet (run daily)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now",
            action="store_true",
            help="Send in this process instead of queueing a task for the workers.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from journals.tasks import prompt_reminders

        if options["now"]:
            reminded = prompt_reminders.call()
        else:
            result = prompt_reminders.enqueue()
            if not result.is_finished:
                self.stdout.write(f"Queued the prompt reminder task ({result.id}).")
                return
            if result.status == TaskResultStatus.FAILED:
                raise CommandError("The prompt reminder task failed; the log has the error.")
            reminded = result.return_value or 0
        self.stdout.write(
            f"Reminded {reminded} {'person' if reminded == 1 else 'people'} of prompts due "
            f"within {reminder_days()} days."
        )
