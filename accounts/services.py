"""Writes to accounts. Views, the API and commands all come through here."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.mail import send_mail
from django.db import transaction
from rest_framework.authtoken.models import Token

from accounts.models import PROFILE_FIELDS, Notification, User
from accounts.roles import PlatformRole
from core.realtime import publish_on_commit, user_group


def profile_update(*, user: User, **changes: Any) -> User:
    """Change profile fields of ``user``; unknown field names are a programming error."""
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"not profile fields: {sorted(unknown)}")
    for field, value in changes.items():
        setattr(user, field, value)
    user.full_clean(exclude=["password", "email", "last_login"])
    if changes:
        user.save(update_fields=list(changes))
    return user


@transaction.atomic
def user_create_verified(
    *, email: str, password: str, name: str = "", **profile: Any
) -> tuple[User, bool]:
    """Create (or find) an account whose email is already verified. Returns (user, created).

    Used for demo data and by staff tooling; people signing up go through allauth, which
    sends them a verification message.
    """
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if user is None:
        user = User.objects.create_user(email=email, password=password, name=name, **profile)
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user, created


def role_grant(*, user: User, role: PlatformRole) -> None:
    group, _ = Group.objects.get_or_create(name=role.value)
    user.groups.add(group)
    if hasattr(user, "_platform_role_names"):
        del user._platform_role_names


def api_token_reset(*, user: User) -> Token:
    """Replace the user's API token; the old one stops working at once."""
    with transaction.atomic():
        Token.objects.filter(user=user).delete()
        return Token.objects.create(user=user)


def notify(
    *,
    users: Iterable[User],
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    email: bool = False,
) -> list[Notification]:
    """Tell ``users`` something in-app (pushed live after commit) and, with ``email``, by mail.

    Mail goes after the transaction commits, so nobody is told about a change that was rolled
    back.
    """
    people = list(users)
    notes = Notification.objects.bulk_create(
        [Notification(user=u, kind=kind, title=title, body=body, url=url) for u in people]
    )
    for note in notes:
        publish_on_commit(
            user_group(note.user_id),
            {
                "type": "notification",
                "notification": {
                    "id": note.pk,
                    "kind": kind,
                    "title": title,
                    "url": url,
                    "created_at": note.created_at,
                },
            },
        )
    if email and people:
        recipients = [u.email for u in people]

        def send() -> None:
            absolute = f"{settings.SITE_URL}{url}" if url.startswith("/") else url
            text = f"{body}\n\n{absolute}\n" if absolute else f"{body}\n"
            for address in recipients:
                send_mail(
                    subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{title}",
                    message=text,
                    from_email=None,
                    recipient_list=[address],
                    fail_silently=False,
                )

        transaction.on_commit(send)
    return notes


def notifications_mark_read(*, user: User) -> int:
    """Mark every unread notification of ``user`` read; returns how many changed."""
    from django.utils import timezone

    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
