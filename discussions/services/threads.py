"""Threads: creation, flags, follow/mute, read pointers, stats rebuild."""

from __future__ import annotations

import re

from django.db import transaction
from django.db.models import Count, Max, OuterRef, Subquery
from django.urls import reverse

from accounts.models import Notification, User
from accounts.services import notifications_mark_read, notify
from cohorts.models import Cohort, LearningGoal, Membership, Session
from core.text import is_single_line
from discussions import search_index
from discussions.models import Post, ReadState, Thread, ThreadSubscription
from discussions.services.posts import DiscussionError, post_create


@transaction.atomic
def thread_create(
    *,
    cohort: Cohort,
    author: User,
    title: str,
    body: str,
    session: Session | None = None,
    goal: LearningGoal | None = None,
    announcement: bool = False,
    client_id: str | None = None,
) -> Thread:
    """Start a thread with its first post. Any active member may (everyone has knowledge
    to share); only facilitators make announcements, which everyone is told about."""
    from discussions import permissions

    title = (title or "").strip()
    if not title:
        raise DiscussionError("Give the thread a title.", code="blank")
    if len(title) > 200:
        raise DiscussionError("A title can be at most 200 characters.", code="too_long")
    if not is_single_line(title):
        raise DiscussionError(
            "A title must be a single line: remove line breaks, tabs and control characters."
        )
    if not permissions.can_start_thread(author, cohort):
        raise DiscussionError("You cannot start threads in this cohort.", code="forbidden")
    if client_id is not None:
        # A retried "start thread" returns the thread the first attempt made.
        first = (
            Post.objects.select_related("thread")
            .filter(author=author, client_id=client_id, thread__cohort=cohort)
            .first()
        )
        if first is not None and first.thread.created_by_id == author.pk:
            return first.thread
    if announcement and not permissions.can_moderate(author, cohort):
        raise DiscussionError("Only facilitators make announcements.", code="forbidden")
    if session is not None and session.cohort_id != cohort.pk:
        raise DiscussionError("That session belongs to another cohort.")
    if goal is not None and goal.cohort_id != cohort.pk:
        raise DiscussionError("That goal belongs to another cohort.")
    thread = Thread.objects.create(
        cohort=cohort,
        title=title,
        session=session,
        goal=goal,
        created_by=author,
        announcement=announcement,
    )
    search_index.index_thread(thread)
    post_create(thread=thread, author=author, body=body, client_id=client_id, notify_people=False)
    others = User.objects.filter(
        memberships__cohort=cohort, memberships__status=Membership.Status.ACTIVE
    ).exclude(pk=author.pk)
    notify(
        users=others,
        kind="discussions.announcement" if announcement else "discussions.new_thread",
        title=(
            f"Announcement in “{cohort.title}”: {title}"
            if announcement
            else f"New thread in “{cohort.title}”: {title}"
        ),
        url=thread.get_absolute_url(),
    )
    thread.refresh_from_db()
    return thread


@transaction.atomic
def thread_set_flags(
    *, thread: Thread, by: User, pinned: bool | None = None, locked: bool | None = None
) -> Thread:
    from discussions import permissions

    if not permissions.can_moderate(by, thread):
        raise DiscussionError("Only facilitators can pin or lock threads.", code="forbidden")
    fields = []
    if pinned is not None:
        thread.pinned = pinned
        fields.append("pinned")
    if locked is not None:
        thread.locked = locked
        fields.append("locked")
    if fields:
        thread.save(update_fields=fields)
    return thread


def thread_subscribe(*, thread: Thread, user: User, level: str | None) -> None:
    """Follow, mute, or (``None``) go back to the default."""
    if level is None:
        ThreadSubscription.objects.filter(thread=thread, user=user).delete()
        return
    if level not in ThreadSubscription.Level.values:
        raise DiscussionError("Unknown subscription level.")
    ThreadSubscription.objects.update_or_create(thread=thread, user=user, defaults={"level": level})


def thread_mark_read(*, thread: Thread, user: User, up_to: int | None = None) -> int:
    """Move the person's read pointer forward (never back), at most to the thread's last
    post (``None``: to the last post). Returns the pointer."""
    if up_to is not None and up_to < 0:
        raise DiscussionError("A read position is a post id, never below zero.")
    last = thread.last_post_id or 0
    if up_to is not None and up_to > last:
        # ``thread`` may predate a post just added: ask the database before clamping.
        last = Thread.objects.filter(pk=thread.pk).values_list("last_post_id", flat=True).get()
        last = last or 0
    target = last if up_to is None else min(up_to, last)
    state, _ = ReadState.objects.get_or_create(user=user, thread=thread)
    pointer = state.last_read_post_id
    if target > pointer:
        ReadState.objects.filter(pk=state.pk, last_read_post_id__lt=target).update(
            last_read_post_id=target
        )
        pointer = target
    clear_thread_notifications(thread=thread, user=user, up_to=pointer)
    return pointer


# What follows a thread's address in the notifications that point into it: nothing (a new
# thread, an announcement) or one post's anchor.
_INTO_THREAD = re.compile(r"(?:#post-(\d{1,20}))?")


def clear_thread_notifications(*, thread: Thread, user: User, up_to: int) -> None:
    """Mark read the person's notifications about ``thread``: the thread itself and its
    posts up to ``up_to`` (the ones further on stay unread until they are read too)."""
    base = thread.get_absolute_url()
    pending = Notification.objects.filter(
        user=user, read_at__isnull=True, url__startswith=base
    ).values_list("pk", "url")
    ids = []
    for pk, url in pending:
        match = _INTO_THREAD.fullmatch(url[len(base) :])
        if match and (match.group(1) is None or int(match.group(1)) <= up_to):
            ids.append(pk)
    if ids:
        notifications_mark_read(user=user, ids=ids)


@transaction.atomic
def cohort_mark_all_read(*, cohort: Cohort, user: User) -> int:
    """Move the person's pointer to the last post of every thread of the cohort, in a
    fixed number of queries however many threads there are."""
    threads = dict(Thread.objects.filter(cohort=cohort).values_list("pk", "last_post_id"))
    existing = {
        state.thread_id: state
        for state in ReadState.objects.filter(user=user, thread_id__in=threads)
    }
    changed = []
    for state in existing.values():
        last = threads[state.thread_id] or 0
        if last > state.last_read_post_id:
            state.last_read_post_id = last
            changed.append(state)
    ReadState.objects.bulk_update(changed, ["last_read_post_id"])
    ReadState.objects.bulk_create(
        [
            ReadState(user=user, thread_id=pk, last_read_post_id=last or 0)
            for pk, last in threads.items()
            if pk not in existing
        ],
        ignore_conflicts=True,
    )
    # Every notification pointing into the cohort's threads is read with them.
    prefix = reverse("discussions:list", args=[cohort.slug])
    notifications_mark_read(
        user=user,
        ids=Notification.objects.filter(
            user=user, read_at__isnull=True, url__startswith=prefix
        ).values_list("pk", flat=True),
    )
    return len(threads)


def thread_rebuild_stats(*, thread_ids: list[int] | None = None) -> int:
    """Recompute post_count, last_post, last_poster and last_activity_at from the posts."""
    qs = Thread.objects.all()
    if thread_ids is not None:
        qs = qs.filter(pk__in=thread_ids)
    visible = Post.objects.filter(
        thread=OuterRef("pk"), deleted_at__isnull=True, hidden_at__isnull=True
    ).order_by("-pk")
    rows = qs.annotate(
        n=Count("posts"),
        real_last=Subquery(visible.values("pk")[:1]),
        real_poster=Subquery(visible.values("author_id")[:1]),
        real_at=Max("posts__created_at"),
    )
    count = 0
    for t in rows:
        Thread.objects.filter(pk=t.pk).update(
            post_count=t.n,
            last_post_id=t.real_last,
            last_poster_id=t.real_poster,
            last_activity_at=t.real_at or t.created_at,
        )
        count += 1
    return count
