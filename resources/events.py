"""What open repertoire pages hear over the socket (see resources/consumers.py).

A resource event carries only what any reader of the cohort's repertoire may see (nothing
that depends on the viewer), encoded once for every socket.
"""

from __future__ import annotations

from typing import Any

from resources.models import Resource


def cohort_group(cohort_id: int) -> str:
    """The sockets showing one cohort's repertoire."""
    return f"resources.cohort.{cohort_id}"


def resource_event(resource: Resource, kind: str = "resource.created") -> dict[str, Any]:
    contributor = resource.contributor
    return {
        "type": kind,
        "cohort": resource.cohort.slug,
        "resource": {
            "id": resource.pk,
            "kind": resource.kind,
            "kind_label": resource.get_kind_display(),
            "title": resource.title,
            "url": resource.get_absolute_url(),
            "contributor": contributor.display_name if contributor else "A former member",
            "created_at": resource.created_at,
        },
    }
