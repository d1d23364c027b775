"""Send the daily notification digest. Run it once a day (cron or a systemd timer; see the
README, "Notifications and digests"). Safe to run more often: each notification is e-mailed
once, and nobody gets more than one digest in 20 hours. It also sends again the instant
e-mails of the last day that failed (a mail server that was down), so run it at least
daily; hourly is fine."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from accounts.services import digests_send, instant_mails_retry


class Command(BaseCommand):
    help = "E-mail each person one digest of their unsent daily-digest notifications."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Send even to people who had a digest in the last 20 hours.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        people, notes = digests_send(force=options["force"])
        self.stdout.write(f"Digests sent: {people} people, {notes} notifications.")
        sent, failed = instant_mails_retry()
        if sent or failed:
            self.stdout.write(
                f"Failed instant e-mails retried: {sent} sent, {failed} failed again."
            )
