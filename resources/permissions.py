"""Who may see and do what with the repertoire. Pages, the API, the socket, downloads and
other apps' citations ask only these functions.

- A resource is read by the members of its home cohort (and staff, who oversee cohorts),
  and beyond it as its scope says: everyone signed in (platform) or anyone (public).
- Hidden resources are seen only by the cohort's facilitators and the contributor.
- Deleted resources are seen by nobody; for 30 days the contributor (while still in the
  cohort) and the facilitators may restore them.
- Any active member adds resources; the contributor edits their own while still an active
  member; facilitators feature, hide, delete, restore and curate collections.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Literal

from django.db.models import Q, QuerySet
from django.utils import timezone
from guardian.shortcuts import get_objects_for_user

from cohorts.models import Cohort
from cohorts.permissions import (
    FACILITATE,
    can_facilitate,
    can_take_part,
    can_view_content,
    cohorts_with_content_for,
)
from core.errors import not_found
from resources.models import RESTORE_DAYS, Collection, FileVersion, Resource


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def is_contributor(user: Any, resource: Resource) -> bool:
    return _signed_in(user) and resource.contributor_id == user.pk


def _reaches(user: Any, resource: Resource) -> bool:
    """Whether the scope lets ``user`` read it, hidden or not."""
    if resource.scope == Resource.Scope.PUBLIC:
        return True
    if resource.scope == Resource.Scope.PLATFORM and _signed_in(user):
        return True
    return can_view_content(user, resource.cohort)


def can_moderate_resource(user: Any, resource: Resource) -> bool:
    """Facilitators of the home cohort: feature, hide, delete, restore."""
    return can_facilitate(user, resource.cohort)


def can_view_resource(user: Any, resource: Resource) -> bool:
    if resource.deleted_at is not None:
        return False
    if resource.hidden_at is not None and not (
        is_contributor(user, resource) or can_moderate_resource(user, resource)
    ):
        return False
    return _reaches(user, resource)


def can_add_resource(user: Any, cohort: Cohort) -> bool:
    """Every active member and facilitator: everyone has knowledge to share."""
    return can_take_part(user, cohort)


def can_edit_resource(user: Any, resource: Resource) -> bool:
    return (
        resource.deleted_at is None
        and is_contributor(user, resource)
        and can_take_part(user, resource.cohort)
    )


def can_delete_resource(user: Any, resource: Resource) -> bool:
    if resource.deleted_at is not None:
        return False
    return can_moderate_resource(user, resource) or can_edit_resource(user, resource)


def can_restore_resource(user: Any, resource: Resource) -> bool:
    if resource.deleted_at is None or resource.restorable_until <= timezone.now():
        return False
    return can_moderate_resource(user, resource) or (
        is_contributor(user, resource) and can_take_part(user, resource.cohort)
    )


def can_mark_useful(user: Any, resource: Resource) -> bool:
    return _signed_in(user) and can_view_resource(user, resource)


def can_discuss_resource(user: Any, resource: Resource) -> bool:
    """Comments live in a thread of the home cohort, so only its members take part."""
    return can_view_resource(user, resource) and can_take_part(user, resource.cohort)


def can_download_version(user: Any, version: FileVersion) -> bool:
    resource = version.resource
    return can_view_resource(user, resource) or can_restore_resource(user, resource)


def can_curate(user: Any, cohort: Cohort) -> bool:
    """Collections and session materials: the cohort's facilitators."""
    return can_facilitate(user, cohort)


def facilitated_cohorts(user: Any) -> QuerySet[Cohort]:
    if not _signed_in(user):
        return Cohort.objects.none()
    return get_objects_for_user(
        user, f"cohorts.{FACILITATE}", klass=Cohort, accept_global_perms=False
    )


def resources_visible_to(user: Any) -> QuerySet[Resource]:
    """Every resource ``user`` may read (subqueries, no loop over rows)."""
    reach = Q(scope=Resource.Scope.PUBLIC)
    if _signed_in(user):
        reach |= Q(scope=Resource.Scope.PLATFORM)
        reach |= Q(cohort__in=cohorts_with_content_for(user).values("pk"))
        shown = Q(hidden_at__isnull=True) | Q(contributor=user)
        shown |= Q(cohort__in=facilitated_cohorts(user).values("pk"))
    else:
        shown = Q(hidden_at__isnull=True)
    return Resource.objects.filter(reach & shown, deleted_at__isnull=True)


def restorable_for(user: Any, cohort: Cohort) -> QuerySet[Resource]:
    """Deleted resources of ``cohort`` that ``user`` may still restore."""
    if not can_take_part(user, cohort) and not can_facilitate(user, cohort):
        return Resource.objects.none()
    rows = Resource.objects.filter(
        cohort=cohort,
        deleted_at__isnull=False,
        deleted_at__gt=timezone.now() - timedelta(days=RESTORE_DAYS),
    )
    if can_facilitate(user, cohort):
        return rows
    return rows.filter(contributor=user)


ResourceNeed = Literal["view", "edit", "delete", "restore", "moderate", "useful", "discuss"]
_RULES = {
    "view": can_view_resource,
    "edit": can_edit_resource,
    "delete": can_delete_resource,
    "restore": can_restore_resource,
    "moderate": lambda user, r: can_view_resource(user, r) and can_moderate_resource(user, r),
    "useful": can_mark_useful,
    "discuss": can_discuss_resource,
}


def access_resource(
    user: Any,
    *,
    resource_id: int | str,
    need: ResourceNeed = "view",
    queryset: QuerySet[Resource] | None = None,
) -> Resource:
    """The resource if ``user`` may do what ``need`` says with it; otherwise the same 404
    whether it does not exist or is not theirs."""
    try:
        pk = int(resource_id)
    except (TypeError, ValueError):
        raise not_found() from None
    rows = queryset if queryset is not None else Resource.objects.all()
    resource = rows.select_related("cohort", "contributor").filter(pk=pk).first()
    if resource is None or not _RULES[need](user, resource):
        raise not_found()
    return resource


def access_version(user: Any, *, resource_id: int | str, number: int | str) -> FileVersion:
    """One file version, for anyone who may read its resource (or still restore it)."""
    try:
        pk, num = int(resource_id), int(number)
    except (TypeError, ValueError):
        raise not_found() from None
    version = (
        FileVersion.objects.select_related("resource__cohort", "file", "uploaded_by")
        .filter(resource_id=pk, number=num)
        .first()
    )
    if version is None or not can_download_version(user, version):
        raise not_found()
    return version


def access_collection(
    user: Any, *, cohort: Cohort, collection_id: int | str, curate: bool = False
) -> Collection:
    """A collection of ``cohort`` (whose content the caller already may see)."""
    try:
        pk = int(collection_id)
    except (TypeError, ValueError):
        raise not_found() from None
    collection = Collection.objects.select_related("session").filter(pk=pk, cohort=cohort).first()
    if collection is None or (curate and not can_curate(user, cohort)):
        raise not_found()
    return collection


def may_download_file(user: Any, stored: Any) -> bool:
    """The download check registered with the upload module for resource files."""
    version = (
        FileVersion.objects.select_related("resource__cohort").filter(file_id=stored.pk).first()
    )
    return version is not None and can_download_version(user, version)
