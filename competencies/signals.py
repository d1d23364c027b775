from typing import Any

from django.db.models.signals import post_migrate
from django.dispatch import receiver


@receiver(post_migrate)
def grant_framework_editing_to_program_staff(
    sender: Any, using: str = "default", **kwargs: Any
) -> None:
    """Program staff keep the framework: they may edit it in the admin."""
    if getattr(sender, "label", None) != "competencies":
        return
    from django.contrib.auth.models import Group, Permission

    from accounts.roles import PlatformRole

    group, _ = Group.objects.using(using).get_or_create(name=PlatformRole.PROGRAM_STAFF.value)
    perms = Permission.objects.using(using).filter(content_type__app_label="competencies")
    group.permissions.add(*perms)
