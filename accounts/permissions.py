from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from accounts.models import User


def people_visible_to(user: Any) -> QuerySet[User]:
    """Profiles a signed-in person may open: every active account. Anonymous: none.

    Profiles are meant to be seen by fellow professionals; the optional identities text is
    filtered separately, by its owner's choice (``User.show_identities``).
    """
    if not getattr(user, "is_authenticated", False):
        return User.objects.none()
    return User.objects.filter(is_active=True)
