"""Demo data: the accounts and cohorts of CONTRACT.md and, with --scale, synthetic volume.

Each app brings its own part as a seeder registered in its ``AppConfig.ready`` (see
``core.registry``: accounts its people, competencies the framework, cohorts the demo
cohorts, discussions the demo forum); this command runs them in dependency order.
Idempotent: running it again changes nothing that exists. Everything is made through the
apps' own services, with dates relative to today so the demo always looks current. Demo
data never sends e-mail: the services' messages go to a dummy backend while seeding.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test.utils import override_settings

from core.registry import SeedRun, seeders


class Command(BaseCommand):
    help = "Create the demo data of every installed app (accounts, cohorts...). Idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="Run even with DJANGO_DEBUG off.")
        parser.add_argument(
            "--scale",
            type=int,
            default=0,
            help="Also add N times a block of synthetic volume (for benchmarks).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "Demo data is only loaded with DJANGO_DEBUG on; pass --force to load it anyway."
            )
        run = SeedRun(stdout=self.stdout, scale=max(options["scale"], 0))
        order = seeders()
        # Demo addresses are not real: whatever the configured backend, send nothing.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            for seeder in order:
                seeder.demo(run)
            if run.scale:
                for seeder in order:
                    if seeder.scale is not None:
                        seeder.scale(run)
                made = " and ".join(f"{len(objs)} {what}" for what, objs in run.synthetic.items())
                self.stdout.write(f"Synthetic volume: {made} added.")
