"""What the journals plug into other apps about evidence (registered in registrations.py):

- the resources' citer, so a purge never deletes a resource an entry cites (the entry then
  shows it as withdrawn, its annotation kept);
- "Use as evidence" offers on a resource's page, on a session's page (to people who
  attended it) and on a post (to its author), each a link to ``journals:use_as_evidence``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.http import urlencode

from journals.models import Evidence

if TYPE_CHECKING:
    from discussions.post_actions import PostAction
    from resources.evidence import EvidenceAction

LABEL = "Use as evidence"


def use_url(kind: str, target: int, version: int | None = None) -> str:
    ref = f"{kind}:{target}" + (f":{version}" if version is not None else "")
    return f"{reverse('journals:use_as_evidence')}?{urlencode({'evidence': ref})}"


def cited_resources(resource_ids: set[int]) -> set[int]:
    """Of ``resource_ids``, those some entry's evidence cites (the resource or one of its
    file versions), deleted entries included: they can still be restored."""
    direct = Evidence.objects.filter(resource_id__in=resource_ids).values_list(
        "resource_id", flat=True
    )
    versions = Evidence.objects.filter(resource_version__resource_id__in=resource_ids).values_list(
        "resource_version__resource_id", flat=True
    )
    return set(direct) | set(versions)


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def resource_action(user: Any, resource: Any) -> EvidenceAction | None:
    """On a resource's page (the viewer may see it): anyone signed in may cite it."""
    if not _signed_in(user):
        return None
    return {"label": LABEL, "url": use_url(Evidence.Kind.RESOURCE, resource.pk)}


def session_links(session: Any, user: Any) -> list[Any]:
    """On a session's page: to people who attended it (one query)."""
    from cohorts.models import Attendance
    from cohorts.session_links import SessionLink

    if not _signed_in(user):
        return []
    attended = Attendance.objects.filter(
        session_id=session.pk, user_id=user.pk, status=Attendance.Status.PRESENT
    ).exists()
    if not attended:
        return []
    return [
        SessionLink("Your journal", LABEL, use_url(Evidence.Kind.SESSION, session.pk)),
    ]


def post_action(user: Any, post: Any) -> PostAction | None:
    """On a post: its author, while it is visible (no query)."""
    if not _signed_in(user) or post.author_id != user.pk or not post.is_visible:
        return None
    return {"label": LABEL, "url": use_url(Evidence.Kind.POST, post.pk)}
