"""What the accounts app holds about a person, for "My data" and account deletion."""

from __future__ import annotations

from typing import Any

from accounts.models import PROFILE_FIELDS, User
from core.data import DELETED, AddFile, DataLine, DataSource


def collect(user: User, add_file: AddFile) -> dict[str, Any]:
    from allauth.account.models import EmailAddress

    return {
        "id": user.pk,
        "email": user.email,
        **{field: getattr(user, field) for field in PROFILE_FIELDS},
        "date_joined": user.date_joined,
        "roles": sorted(user.groups.values_list("name", flat=True)),
        "email_addresses": list(
            EmailAddress.objects.filter(user=user)
            .order_by("pk")
            .values("email", "verified", "primary")
        ),
        "notification_preferences": list(
            user.notification_preferences.order_by("kind").values("kind", "delivery")
        ),
        "notifications": list(
            user.notifications.order_by("created_at", "pk").values(
                "kind", "title", "body", "url", "created_at", "read_at"
            )
        ),
    }


def summarize(user: User) -> list[DataLine]:
    return [
        DataLine("Your profile, e-mail addresses and sign-in details", 1, DELETED),
        DataLine("Notifications", user.notifications.count(), DELETED),
    ]


SOURCE = DataSource("account", "Account and profile", collect, summarize)
