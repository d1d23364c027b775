from typing import Any

from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import post_migrate
from django.dispatch import receiver

from core.consumers import CLOSE_UNAUTHENTICATED
from core.realtime import close_group_on_commit, session_group


@receiver(user_logged_out)
def close_sockets_of_ended_session(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """Logging out closes every live socket opened with that login session, on any server."""
    session = getattr(request, "session", None)
    key = getattr(session, "session_key", None)
    if key:
        close_group_on_commit(session_group(key), code=CLOSE_UNAUTHENTICATED, reason="logged out")


@receiver(post_migrate)
def ensure_platform_role_groups(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """The platform-role groups always exist, so admins can assign them straight away."""
    if getattr(sender, "label", None) != "accounts":
        return
    from django.contrib.auth.models import Group

    from accounts.roles import PlatformRole

    for role in PlatformRole:
        Group.objects.using(using).get_or_create(name=role.value)
