"""Platform roles. Each is a Django group, managed in the admin.

Per-cohort roles (member, facilitator) are object permissions and live in the cohorts app.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class PlatformRole(StrEnum):
    PROGRAM_STAFF = "Program staff"
    REVIEW_BOARD = "Review board"
    TRAINING_PROVIDER = "Training provider"


def has_role(user: Any, role: PlatformRole) -> bool:
    """True when ``user`` belongs to the group for ``role``.

    The names of a user's groups are cached on the instance, so asking several times in one
    request costs one query.
    """
    if not getattr(user, "is_authenticated", False):
        return False
    cached = getattr(user, "_platform_role_names", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._platform_role_names = cached
    return role.value in cached


def is_program_staff(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False)) or has_role(user, PlatformRole.PROGRAM_STAFF)
