"""Demo data: the accounts of CONTRACT.md and, with --scale, synthetic volume.

Idempotent: running it again changes nothing that exists. Later apps add their objects
here through their own services.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from accounts.models import User
from accounts.roles import PlatformRole
from accounts.services import role_grant, user_create_verified
from competencies.models import Framework

DEMO_PEOPLE: list[dict[str, Any]] = [
    {
        "email": "staff@example.org",
        "name": "Sam Okafor",
        "pronouns": "he/him",
        "institution": "Campus Compact",
        "position": "Credentialing program manager",
        "role": PlatformRole.PROGRAM_STAFF,
        "is_staff": True,
    },
    {
        "email": "reviewer@example.org",
        "name": "Renée Castillo",
        "pronouns": "she/her",
        "institution": "Lakeshore State University",
        "position": "Content Advisory Board member",
        "role": PlatformRole.REVIEW_BOARD,
    },
    {
        "email": "provider@example.org",
        "name": "Priya Raman",
        "pronouns": "she/her",
        "institution": "Engaged Campus Institute",
        "position": "Training director",
        "role": PlatformRole.TRAINING_PROVIDER,
    },
    {
        "email": "facilitator@example.org",
        "name": "Fatima Haddad",
        "pronouns": "she/her",
        "institution": "Riverbend College",
        "position": "Director of community partnerships",
        "bio": "Twelve years building **reciprocal partnerships** with neighbourhood groups.",
        "identities": "First-generation college graduate; I learned community organising "
        "from my grandmother's tenants' union before I learned it from books.",
        "show_identities": True,
    },
    {
        "email": "cofacilitator@example.org",
        "name": "Diego Morales",
        "pronouns": "he/him",
        "institution": "Northfield University",
        "position": "Civic engagement coordinator",
    },
    {
        "email": "member@example.org",
        "name": "Mei Lin",
        "pronouns": "she/they",
        "institution": "Harbor Community College",
        "position": "Service-learning coordinator",
        "time_zone": "America/Los_Angeles",
    },
    {
        "email": "member2@example.org",
        "name": "Jordan Blackfeather",
        "pronouns": "they/them",
        "institution": "Prairie State University",
        "position": "Community-engaged research associate",
        "time_zone": "America/Chicago",
    },
    {
        "email": "outsider@example.org",
        "name": "Olivia Grant",
        "pronouns": "she/her",
        "institution": "Eastgate University",
        "position": "Assistant dean of students",
    },
]


class Command(BaseCommand):
    help = "Create the demo accounts (and later apps' demo objects). Idempotent."

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
        if not Framework.objects.exists():
            call_command("import_framework", stdout=self.stdout)
        created = self.seed_people()
        self.stdout.write(
            f"Demo accounts: {created} created, {len(DEMO_PEOPLE) - created} already there "
            f"(password: DEMO_PASSWORD, default “commonplace-demo”)."
        )
        if options["scale"] > 0:
            added = self.seed_scale(options["scale"])
            self.stdout.write(f"Synthetic volume: {added} users added.")

    @transaction.atomic
    def seed_people(self) -> int:
        created_count = 0
        for spec in DEMO_PEOPLE:
            spec = dict(spec)
            role = spec.pop("role", None)
            is_staff = spec.pop("is_staff", False)
            user, created = user_create_verified(password=settings.DEMO_PASSWORD, **spec)
            created_count += int(created)
            if created and is_staff:
                user.is_staff = True
                user.save(update_fields=["is_staff"])
            if role is not None:
                role_grant(user=user, role=role)
        return created_count

    @transaction.atomic
    def seed_scale(self, scale: int) -> int:
        """Add ``scale`` blocks of 50 synthetic users, numbered after those already there."""
        from allauth.account.models import EmailAddress
        from django.contrib.auth.hashers import make_password

        start = User.objects.filter(email__startswith="synthetic-").count()
        password = make_password(settings.DEMO_PASSWORD)
        users = [
            User(
                email=f"synthetic-{n}@example.org",
                name=f"Synthetic member {n}",
                password=password,
                institution="Synthetic University",
            )
            for n in range(start, start + 50 * scale)
        ]
        User.objects.bulk_create(users, batch_size=1000)
        made = User.objects.filter(email__in=[u.email for u in users])
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in made],
            batch_size=1000,
        )
        return len(users)
