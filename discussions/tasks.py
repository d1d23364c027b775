"""Background work of discussions: telling people about a new post.

A post is written and published to the thread's sockets inside its request; who else
hears of it (followers, the people it mentions, by notification and, as each chose, by
e-mail or in the digest) is decided here, after the post has committed. Rights are read
again when the task runs, so nobody who has lost access since the post was written is told
about it, and a post deleted or hidden meanwhile is announced to nobody.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from accounts.models import Notification, User
from accounts.services import notify
from cohorts.models import Membership
from discussions.models import Mention, Post, ThreadSubscription

logger = logging.getLogger(__name__)

# The kinds this task creates; a notification of one of them pointing at the post means
# the post was announced already (a retry after the commit must not tell anyone twice).
ANNOUNCE_KINDS = ("discussions.mention", "discussions.reply")


def retry_delay(attempt: int) -> timedelta:
    """How long to wait before attempt ``attempt + 1``: 5 s, 20 s, 80 s, … at most 10 min."""
    return timedelta(seconds=min(600, 5 * 4 ** (attempt - 1)))


@task()
def post_announce(post_id: int, attempt: int = 1) -> int:
    """Notify the followers of the post's thread and the people it mentions; returns how
    many were told. A failure is retried with growing delays, up to
    ``settings.DISCUSSIONS_ANNOUNCE_ATTEMPTS`` times; each attempt starts over from the
    database, and announcing is one transaction, so an attempt either tells everyone it
    should or nobody."""
    try:
        return announce(post_id)
    except Exception:
        attempts = settings.DISCUSSIONS_ANNOUNCE_ATTEMPTS
        if attempt >= attempts:
            logger.exception("Post %s not announced after %s attempts.", post_id, attempt)
            raise
        logger.warning("Announcing post %s failed (attempt %s); retrying.", post_id, attempt)
        queued = post_announce
        if queued.get_backend().supports_defer:
            queued = queued.using(run_after=timezone.now() + retry_delay(attempt))
        queued.enqueue(post_id, attempt + 1)
        raise


@transaction.atomic
def announce(post_id: int) -> int:
    """The work of :func:`post_announce`, in one transaction."""
    # Locked, so two runs of the same announcement (a duplicate delivery, a retry that
    # overlaps) take turns, and the second sees what the first wrote.
    post = (
        Post.objects.select_for_update(of=("self",), no_key=True)
        .select_related("author", "thread__cohort")
        .filter(pk=post_id, deleted_at__isnull=True, hidden_at__isnull=True)
        .first()
    )
    if post is None or post.author is None:
        return 0  # removed before it was announced, or its author's account is gone
    thread, author = post.thread, post.author
    url = f"{thread.get_absolute_url()}#post-{post.pk}"
    muted = set(
        ThreadSubscription.objects.filter(
            thread=thread, level=ThreadSubscription.Level.MUTED
        ).values_list("user_id", flat=True)
    )
    told: set[int] = {author.pk}
    # Mentioned: people seated in the cohort now (a member removed since is not told).
    mentioned: list[User] = list(
        User.objects.filter(
            pk__in=Mention.objects.filter(post=post).values("user_id"),
            is_active=True,
            memberships__cohort_id=thread.cohort_id,
            memberships__status__in=Membership.SEATED,
        )
        .exclude(pk__in=told)
        .distinct()
    )
    # Followers: active members now, who have not muted the thread.
    followers: list[User] = list(
        User.objects.filter(
            pk__in=ThreadSubscription.objects.filter(
                thread=thread, level=ThreadSubscription.Level.FOLLOWING
            ).values("user_id"),
            is_active=True,
            memberships__cohort_id=thread.cohort_id,
            memberships__status=Membership.Status.ACTIVE,
        ).exclude(pk__in=told | muted | {u.pk for u in mentioned})
    )
    candidates = [u.pk for u in mentioned + followers]
    already = Notification.objects.filter(
        user_id__in=candidates, url=url, kind__in=ANNOUNCE_KINDS
    ).exists()
    if already:
        return 0  # an earlier attempt got there
    # The author has read the thread up to their post: what told them about it is read.
    from discussions.services.threads import clear_thread_notifications

    clear_thread_notifications(thread=thread, user=author, up_to=post.pk)
    if mentioned:
        notify(
            users=mentioned,
            kind="discussions.mention",
            title=f"{author.display_name} mentioned you in “{thread.title}”",
            url=url,
        )
    if followers:
        notify(
            users=followers,
            kind="discussions.reply",
            title=f"New reply in “{thread.title}” from {author.display_name}",
            url=url,
        )
    return len(mentioned) + len(followers)
