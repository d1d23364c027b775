"""Delete for good the journal entries deleted more than 30 days ago (their evidence,
mappings, comments and uploaded files with them). Run it once a day from cron, e.g.::

    23 3 * * *  cd /srv/commonplace && .venv/bin/python manage.py purge_journal_entries

Until then the author can restore a deleted entry from the journal's "Deleted" page."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from journals.models import RESTORE_DAYS
from journals.services import entries_purge


class Command(BaseCommand):
    help = f"Purge journal entries deleted more than {RESTORE_DAYS} days ago (run daily from cron)."

    def handle(self, *args: Any, **options: Any) -> None:
        purged = entries_purge()
        self.stdout.write(f"Purged {purged} journal entr{'ies' if purged != 1 else 'y'}.")
