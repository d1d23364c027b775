"""Who may read, write and moderate threads. The same functions answer pages, the API and
the socket's ``subscribe``; a thread someone may not read is a 404 (or ``forbidden`` on the
socket), exactly like one that does not exist."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from cohorts import permissions as cohort_permissions
from cohorts.models import Cohort, Membership
from discussions.models import Post, Thread


def threads_visible_to(user: Any) -> QuerySet[Thread]:
    return Thread.objects.filter(
        cohort__in=cohort_permissions.cohorts_with_content_for(user).values("pk")
    )


def can_view_thread(user: Any, thread: Thread) -> bool:
    return cohort_permissions.can_view_content(user, thread.cohort)


def _is_active_in(user: Any, cohort: Cohort) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return Membership.objects.filter(
        cohort=cohort, user=user, status=Membership.Status.ACTIVE
    ).exists()


def can_start_thread(user: Any, cohort: Cohort) -> bool:
    """Any active member (everyone has knowledge to share); alumni read only."""
    return cohort.state != Cohort.State.ARCHIVED and _is_active_in(user, cohort)


def can_post(user: Any, thread: Thread) -> bool:
    return can_start_thread(user, thread.cohort)


def can_moderate(user: Any, thread_or_cohort: Thread | Cohort) -> bool:
    cohort = thread_or_cohort.cohort if isinstance(thread_or_cohort, Thread) else thread_or_cohort
    return cohort_permissions.can_facilitate(user, cohort)


def can_edit_post(user: Any, post: Post) -> bool:
    return (
        getattr(user, "is_authenticated", False)
        and post.author_id == user.pk
        and post.deleted_at is None
        and post.hidden_at is None
        and can_post(user, post.thread)
    )


def check_view_thread(user: Any, thread: Thread) -> None:
    if not can_view_thread(user, thread):
        raise Http404("No such thread.")
