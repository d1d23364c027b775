from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Remind providers whose trainings' approval ends within 30 days (run daily)."

    def handle(self, *args: Any, **options: Any) -> None:
        from trainings.tasks import expiry_reminders

        result = expiry_reminders.enqueue()
        self.stdout.write(f"Queued the reminder task ({result.id}).")
