"""Delete expired exports and their files (``EXPORT_TTL_HOURS`` after they were built), and
mark abandoned ones failed. Run it daily (or hourly) from cron, e.g.::

    41 3 * * *  cd /srv/commonplace && .venv/bin/python manage.py purge_exports
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from files.exports import exports_purge


class Command(BaseCommand):
    help = "Delete expired exports and their files (run daily from cron)."

    def handle(self, *args: Any, **options: Any) -> None:
        purged = exports_purge()
        self.stdout.write(f"Purged {purged} export{'s' if purged != 1 else ''}.")
