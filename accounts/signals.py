from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.signals import user_logged_out
from django.contrib.sessions.models import Session
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save, pre_save
from django.dispatch import receiver

from accounts.models import User
from accounts.roles import PlatformRole
from core.consumers import CLOSE_REAUTHENTICATE, CLOSE_UNAUTHENTICATED
from core.realtime import close_group_on_commit, recheck_user_on_commit, session_group


@receiver(user_logged_out)
def close_sockets_of_ended_session(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """Logging out closes every live socket opened with that login session, on any server."""
    session = getattr(request, "session", None)
    key = getattr(session, "session_key", None)
    if key:
        close_group_on_commit(session_group(key), code=CLOSE_UNAUTHENTICATED, reason="logged out")


# --- A socket lives no longer than its session ----------------------------------------------
# The fields whose change can end a login session or take rights away. A change of any of
# them makes every socket of the person re-check its session (and what it follows) at once,
# on every server: a password change however it is made (the site's forms, a reset, the
# admin, set_password in a shell), deactivation, and loss of is_staff or is_superuser.
_CREDENTIAL_FIELDS = ("password", "is_active", "is_staff", "is_superuser")


@receiver(pre_save, sender=settings.AUTH_USER_MODEL)
def note_credential_change(
    sender: Any, instance: Any, raw: bool = False, update_fields: Any = None, **kwargs: Any
) -> None:
    """Notes, before the write, whether this save ends sessions or takes rights away."""
    instance._recheck_sockets = False
    if raw or instance._state.adding or instance.pk is None:
        return
    # Only the fields this save writes (a deferred field is not loaded, so not written).
    fields = [
        f
        for f in _CREDENTIAL_FIELDS
        if f in instance.__dict__ and (update_fields is None or f in update_fields)
    ]
    if not fields:
        return
    before = sender.objects.filter(pk=instance.pk).values(*fields).first()
    if before is None:
        return
    instance._recheck_sockets = any(_weakened(f, before[f], getattr(instance, f)) for f in fields)


def _weakened(field: str, before: Any, after: Any) -> bool:
    """A new password, or a flag (active, staff, superuser) turned off."""
    if field == "password":
        return bool(before != after)
    return bool(before) and not after


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def recheck_sockets_after_credential_change(sender: Any, instance: Any, **kwargs: Any) -> None:
    if getattr(instance, "_recheck_sockets", False):
        instance._recheck_sockets = False
        recheck_user_on_commit(instance.pk)


@receiver(post_delete, sender=settings.AUTH_USER_MODEL)
def recheck_sockets_of_deleted_user(sender: Any, instance: Any, **kwargs: Any) -> None:
    recheck_user_on_commit(instance.pk)


@receiver(m2m_changed, sender=User.groups.through)
def recheck_sockets_after_role_loss(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs: Any
) -> None:
    """Leaving a platform-role group (e.g. Program staff) takes rights away at once."""
    from django.contrib.auth.models import Group

    if action not in ("post_remove", "pre_clear"):
        return
    roles = [role.value for role in PlatformRole]
    if not reverse:  # user.groups.remove(...) / .clear(): pk_set holds group ids
        if (
            action == "post_remove"
            and not Group.objects.filter(pk__in=pk_set or (), name__in=roles).exists()
        ):
            return
        recheck_user_on_commit(instance.pk)
        return
    if instance.name not in roles:  # group.user_set.remove(...) / .clear()
        return
    user_ids = pk_set if action == "post_remove" else instance.user_set.values_list("pk", flat=True)
    for user_id in list(user_ids or ()):
        recheck_user_on_commit(user_id)


@receiver(post_delete, sender=Session)
def close_sockets_of_deleted_session(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A session that ends (flushed, cycled by a password change, deleted by an admin)
    closes its sockets with the reconnect code: a browser that holds a newer session
    reconnects with it, any other is then refused with 4401. Only a signed-in session can
    have sockets (an anonymous one, cycled at every login, has none)."""
    if SESSION_KEY not in instance.get_decoded():
        return
    close_group_on_commit(
        session_group(instance.session_key), code=CLOSE_REAUTHENTICATE, reason="session ended"
    )


@receiver(post_migrate)
def ensure_platform_role_groups(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """The platform-role groups always exist, so admins can assign them straight away."""
    if getattr(sender, "label", None) != "accounts":
        return
    from django.contrib.auth.models import Group

    from accounts.roles import PlatformRole

    for role in PlatformRole:
        Group.objects.using(using).get_or_create(name=role.value)
