from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from core.registry import nav_items


def site(request: HttpRequest) -> dict[str, Any]:
    return {"SITE_NAME": "Commonplace", "DEBUG": settings.DEBUG, "app_nav": _app_nav(request)}


def _app_nav(request: HttpRequest) -> list[dict[str, Any]]:
    """The header links that apps registered (core.registry.register_nav_item)."""
    signed_in = bool(getattr(request, "user", None) and request.user.is_authenticated)
    match = getattr(request, "resolver_match", None)
    namespace = match.namespace if match else ""
    return [
        {
            "label": item.label,
            "url": reverse(item.url_name),
            "current": namespace in item.current,
        }
        for item in nav_items()
        if signed_in or not item.signed_in
    ]
