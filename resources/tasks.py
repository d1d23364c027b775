"""Background work of the repertoire: telling people about new resources and useful marks."""

from __future__ import annotations

from django_tasks import task

from accounts.models import User
from accounts.services import notify
from cohorts.models import Membership
from resources.models import Resource, UsefulMark


@task()
def notify_new_resource(resource_id: int) -> int:
    """Tell the cohort's active members (not the contributor) about a new resource, as each
    chose for "resources.new". Skipped if it was deleted or hidden meanwhile. Those who
    may no longer read the cohort are not told: membership is read when the task runs."""
    resource = (
        Resource.objects.select_related("cohort", "contributor")
        .filter(pk=resource_id, deleted_at__isnull=True, hidden_at__isnull=True)
        .first()
    )
    if resource is None:
        return 0
    people = list(
        User.objects.filter(
            memberships__cohort_id=resource.cohort_id,
            memberships__status=Membership.Status.ACTIVE,
            is_active=True,
        ).exclude(pk=resource.contributor_id or 0)
    )
    if not people:
        return 0
    who = resource.contributor.display_name if resource.contributor else "A former member"
    notify(
        users=people,
        kind="resources.new",
        title=f"{who} shared “{resource.title}” in {resource.cohort.title}",
        url=resource.get_absolute_url(),
    )
    return len(people)


@task()
def notify_useful(mark_id: int) -> bool:
    """Tell a contributor that someone found their resource useful (and why)."""
    mark = (
        UsefulMark.objects.select_related("resource__contributor", "user")
        .filter(pk=mark_id, resource__deleted_at__isnull=True)
        .first()
    )
    if mark is None or mark.resource.contributor is None:
        return False
    notify(
        users=[mark.resource.contributor],
        kind="resources.useful",
        title=f"{mark.user.display_name} found “{mark.resource.title}” useful",
        body=mark.note,
        quoted_from=mark.user if mark.note else None,
        url=mark.resource.get_absolute_url(),
    )
    return True
