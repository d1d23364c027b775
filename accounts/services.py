"""Writes to accounts. Views, the API and commands all come through here."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.db import transaction
from rest_framework.authtoken.models import Token

from accounts.models import PROFILE_FIELDS, User
from accounts.roles import PlatformRole


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
