"""Delete for good the resources deleted more than 30 days ago that nothing cites (their
files and versions with them). Run it once a day from cron, e.g.::

    17 3 * * *  cd /srv/commonplace && .venv/bin/python manage.py purge_resources

What is still cited (a session's materials, a journal's evidence) is kept and shown as
withdrawn where it is cited."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from resources.models import RESTORE_DAYS
from resources.services import resources_purge


class Command(BaseCommand):
    help = (
        f"Purge resources deleted more than {RESTORE_DAYS} days ago that nothing cites "
        "(run daily from cron)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        purged = resources_purge()
        self.stdout.write(f"Purged {purged} resource{'s' if purged != 1 else ''}.")
