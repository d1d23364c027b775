"""Who may read, write and moderate threads. The same functions answer pages, the API and
the socket's ``subscribe``; a thread someone may not read is a 404 (or ``forbidden`` on the
socket), exactly like one that does not exist."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import timedelta
from typing import Any, Literal

from django.db import connection
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from cohorts import permissions as cohort_permissions
from cohorts.models import Cohort, Membership
from core.errors import ServiceError, not_found
from core.models import first_row
from discussions.models import Post, Thread, ThreadSubscription

# How long the author (or a facilitator) may restore a deleted post.
RESTORE_DAYS = 30


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


def can_restore(user: Any, post: Post) -> bool:
    """Undo a delete (the author or a facilitator, within RESTORE_DAYS) or a hide (a
    facilitator only)."""
    if not getattr(user, "is_authenticated", False):
        return False
    moderator = can_moderate(user, post.thread)
    if post.deleted_at is not None:
        recent = timezone.now() - post.deleted_at <= timedelta(days=RESTORE_DAYS)
        return (
            recent
            and (post.author_id == user.pk or moderator)
            and (post.hidden_at is None or moderator)
        )
    return post.hidden_at is not None and moderator


def can_see_post_text(user: Any, post: Post) -> bool:
    """A post's text and edit history: anyone who reads the thread while the post is
    visible; once deleted or hidden, only its author and the facilitators."""
    if post.is_visible:
        return can_view_thread(user, post.thread)
    return can_view_thread(user, post.thread) and (
        post.author_id == getattr(user, "pk", None) or can_moderate(user, post.thread)
    )


ThreadNeed = Literal["view", "post", "moderate"]
_THREAD_RULES: dict[str, Callable[[Any, Thread], bool]] = {
    "view": can_view_thread,  # read it, follow it live
    "post": can_post,  # write in it (locked threads are refused by the services, not here)
    "moderate": can_moderate,  # pin, lock, hide
}
# The thread, with what its pages show.
THREAD_RELATED = ("cohort", "session", "goal", "created_by")


def access_thread(
    user: Any,
    *,
    thread_id: int,
    need: ThreadNeed = "view",
    cohort_slug: str | None = None,
    related: tuple[str, ...] = THREAD_RELATED,
) -> Thread:
    """The thread if ``user`` may do what ``need`` says in it; otherwise the same 404
    whether it does not exist or is not theirs. With ``cohort_slug`` (a page's URL) it must
    also belong to that cohort. ``related`` is what is read with it (pages show all of
    :data:`THREAD_RELATED`; a socket needs only the cohort, which every check reads)."""
    rows = Thread.objects.select_related("cohort", *related).filter(pk=thread_id)
    if cohort_slug is not None:
        rows = rows.filter(cohort__slug=cohort_slug)
    thread = first_row(rows)
    if thread is None or not _THREAD_RULES[need](user, thread):
        raise not_found()
    return thread


# The refusal of a post by someone who may read the thread but not write in it (an
# alumnus, program staff, anyone once the cohort is archived).
CANNOT_POST = "You cannot post in this cohort."


@functools.cache
def _posting_checks_sql() -> tuple[str, str]:
    """The two checks :func:`thread_for_posting` reads with the thread, as SQL: is the
    author an active member of the thread's cohort (parameters: user id, status), and do
    they have a subscription to the thread (parameter: user id).

    They are what ``Exists(Membership.objects.filter(cohort_id=OuterRef(...), ...))`` would
    compile to, written once from the models' own table and column names: building and
    compiling those two subqueries on every post cost about 0.7 ms, more than the query
    takes to run. Every test of who may post runs through them.

    They name the outer row by the thread table's own name, as the one query they are used
    in (read at once, never nested in another) has it: a query that joined the thread table
    under another alias, or put this one inside another, would need them rewritten."""
    quote = connection.ops.quote_name

    def column(model: Any, field: str) -> str:
        return quote(model._meta.get_field(field).column)

    thread = quote(Thread._meta.db_table)
    member = quote(Membership._meta.db_table)
    follow = quote(ThreadSubscription._meta.db_table)
    in_cohort = f"{member}.{column(Membership, 'cohort')} = {thread}.{column(Thread, 'cohort')}"
    in_thread = f"{follow}.{column(ThreadSubscription, 'thread')} = {thread}.{column(Thread, 'id')}"
    # Identifiers from the models, values as parameters: nothing from a request is pasted.
    active = (
        f"EXISTS (SELECT 1 FROM {member} WHERE {in_cohort} "  # noqa: S608
        f"AND {member}.{column(Membership, 'user')} = %s "
        f"AND {member}.{column(Membership, 'status')} = %s)"
    )
    subscribed = (
        f"EXISTS (SELECT 1 FROM {follow} WHERE {in_thread} "  # noqa: S608
        f"AND {follow}.{column(ThreadSubscription, 'user')} = %s)"
    )
    return active, subscribed


def thread_for_posting(
    user: Any, *, thread_id: int, cohort_slug: str | None = None, lock: bool = False
) -> Thread:
    """The thread ``user`` is about to write in, read together with their right to post
    (the rule of :func:`can_post`: an active member, the cohort not archived) in one query,
    and with ``lock`` held for the rest of the transaction, so posts to one thread are
    written one at a time and their ids follow the order they commit in (catch-up by
    ``after`` relies on it).

    The thread carries ``author_subscribed``: whether they have a subscription row to it
    already (following or muted), so that posting writes one only when there is none.

    Refusals: a thread they may read but not post in is a ``forbidden`` ServiceError (403);
    one they may not read, or that does not exist, is the usual 404. Only a refusal pays for
    the read check."""
    if not getattr(user, "is_authenticated", False):
        raise not_found()
    active_sql, subscribed_sql = _posting_checks_sql()
    rows = Thread.objects.select_related("cohort").annotate(
        author_active=RawSQL(  # noqa: S611  (parameters, see _posting_checks_sql)
            active_sql, (user.pk, Membership.Status.ACTIVE), output_field=BooleanField()
        ),
        author_subscribed=RawSQL(  # noqa: S611
            subscribed_sql, (user.pk,), output_field=BooleanField()
        ),
    )
    if lock:
        # NO KEY: posts (and read pointers) may still reference the thread meanwhile.
        rows = rows.select_for_update(of=("self",), no_key=True)
    rows = rows.filter(pk=thread_id)
    if cohort_slug is not None:
        rows = rows.filter(cohort__slug=cohort_slug)
    thread = first_row(rows)
    if thread is None:
        raise not_found()
    if thread.author_active and thread.cohort.state != Cohort.State.ARCHIVED:  # type: ignore[attr-defined]  # annotated above
        return thread
    if can_view_thread(user, thread):
        raise ServiceError(CANNOT_POST, code="forbidden")
    raise not_found()


PostNeed = Literal["view", "text", "react", "edit"]
_POST_RULES: dict[str, Callable[[Any, Post], bool]] = {
    # Its place in a thread the user reads (a deleted or hidden post keeps its place).
    "view": lambda user, post: can_view_thread(user, post.thread),
    "text": can_see_post_text,  # its text and edit history
    "react": lambda user, post: post.is_visible and can_view_thread(user, post.thread),
    "edit": can_edit_post,  # the author's edit form
}


def access_post(
    user: Any,
    *,
    post_id: int,
    need: PostNeed = "view",
    thread_id: int | None = None,
    cohort_slug: str | None = None,
) -> Post:
    """The post (its author and its thread, as :func:`access_thread` loads it, already
    joined) if ``user`` may do what ``need`` says with it; otherwise the same 404 whether
    it does not exist or is not theirs. ``thread_id`` and ``cohort_slug`` (a page's URL)
    must match where the post is."""
    related = [f"thread__{name}" for name in THREAD_RELATED]
    rows = Post.objects.select_related("author", *related).filter(pk=post_id)
    if thread_id is not None:
        rows = rows.filter(thread_id=thread_id)
    if cohort_slug is not None:
        rows = rows.filter(thread__cohort__slug=cohort_slug)
    post = rows.first()
    if post is None or not _POST_RULES[need](user, post):
        raise not_found()
    return post
