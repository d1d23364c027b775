"""Demo people (the accounts of CONTRACT.md and a few more) and, with ``--scale``,
synthetic members: the accounts app's part of ``seed_demo`` (see core.registry).

Idempotent: an account that exists is left as it is.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction

from accounts.models import User
from accounts.roles import PlatformRole
from accounts.services import role_grant, user_create_verified
from core.registry import SeedRun

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

# People who make the cohorts look lived in. Not part of the contract; none of them is the
# outsider, who must stay without memberships.
DEMO_EXTRA_PEOPLE: list[dict[str, Any]] = [
    {
        "email": "amara.nwosu@example.org",
        "name": "Amara Nwosu",
        "pronouns": "she/her",
        "institution": "Lakeshore State University",
        "position": "Community-based learning coordinator",
    },
    {
        "email": "luis.ortega@example.org",
        "name": "Luis Ortega",
        "pronouns": "he/him",
        "institution": "Valle Verde Community College",
        "position": "Director, Center for Civic Learning",
        "time_zone": "America/Denver",
    },
    {
        "email": "hannah.weiss@example.org",
        "name": "Hannah Weiss",
        "pronouns": "she/her",
        "institution": "Northfield University",
        "position": "Engaged scholarship librarian",
    },
    {
        "email": "kenji.watanabe@example.org",
        "name": "Kenji Watanabe",
        "pronouns": "he/him",
        "institution": "Pacific Crest University",
        "position": "Partnership development manager",
        "time_zone": "America/Los_Angeles",
    },
    {
        "email": "aisha.rahman@example.org",
        "name": "Aisha Rahman",
        "pronouns": "she/her",
        "institution": "Metro Technical Institute",
        "position": "Coordinator of community-engaged learning",
    },
    {
        "email": "grace.liu@example.org",
        "name": "Grace Liu",
        "pronouns": "she/her",
        "institution": "Bayview University",
        "position": "Assessment and evaluation lead, Office of Engagement",
    },
    {
        "email": "tomas.rivera@example.org",
        "name": "Tomás Rivera",
        "pronouns": "he/him",
        "institution": "Sierra State University",
        "position": "Faculty fellow for engaged teaching",
        "time_zone": "America/Los_Angeles",
    },
    {
        "email": "nia.thompson@example.org",
        "name": "Nia Thompson",
        "pronouns": "she/her",
        "institution": "Chesapeake College",
        "position": "Associate director, Office of Community Engagement",
    },
]


@transaction.atomic
def seed_people(specs: list[dict[str, Any]]) -> int:
    created_count = 0
    for spec in specs:
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


def person(email: str) -> User:
    return User.objects.get(email=email)


def seed_demo(run: SeedRun) -> None:
    created = seed_people(DEMO_PEOPLE)
    run.write(
        f"Demo accounts: {created} created, {len(DEMO_PEOPLE) - created} already "
        f"there (password: DEMO_PASSWORD, default “commonplace-demo”)."
    )
    seed_people(DEMO_EXTRA_PEOPLE)


@transaction.atomic
def seed_scale(run: SeedRun) -> None:
    """Add ``run.scale`` blocks of 50 synthetic users (``run.synthetic["users"]``, which
    the cohorts seeder seats in synthetic cohorts)."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password

    start = User.objects.filter(email__startswith="synthetic-").count()
    password = make_password(settings.DEMO_PASSWORD)
    users = [
        User(
            email=f"synthetic-{n}@example.org",
            name=f"Synthetic member {n}",
            handle=f"synthetic-{n}",  # bulk_create skips save(), which would assign one
            password=password,
            institution="Synthetic University",
        )
        for n in range(start, start + 50 * run.scale)
    ]
    User.objects.bulk_create(users, batch_size=1000)
    made = list(User.objects.filter(email__in=[u.email for u in users]).order_by("pk"))
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in made],
        batch_size=1000,
    )
    run.synthetic["users"] = made
