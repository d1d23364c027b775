"""The competencies app's part of ``seed_demo`` (see core.registry): the default framework."""

from __future__ import annotations

from django.core.management import call_command

from competencies.models import Framework
from core.registry import SeedRun


def seed_demo(run: SeedRun) -> None:
    if not Framework.objects.exists():
        call_command("import_framework", stdout=run.stdout)
