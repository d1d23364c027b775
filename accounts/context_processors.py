from typing import Any

from django.http import HttpRequest


def notifications(request: HttpRequest) -> dict[str, Any]:
    """The unread count in the header; evaluated only when a template reads it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def unread() -> int:
        return user.notifications.filter(read_at__isnull=True).count()

    def program_staff() -> bool:
        from accounts.roles import is_program_staff

        return is_program_staff(user)

    return {"unread_notifications": unread, "is_program_staff": program_staff}
