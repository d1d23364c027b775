"""Reads for the discussion pages: the thread list with unread counts, a thread's posts
with what each one shows, and the dashboard's unread panel. Query counts here do not grow
with the number of threads or posts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from cohorts.models import Cohort
from discussions import permissions
from discussions.models import Post, Reaction, ReadState, Thread, ThreadSubscription


def posts_after(thread: Thread | int, after: int = 0) -> QuerySet[Post]:
    """The thread's posts with an id above ``after``, oldest first, authors joined: the
    catch-up after a dropped connection (the socket's and the API's ``?after=``). Deleted
    and hidden posts keep their place, so ids stay continuous; callers slice or page."""
    thread_id = thread if isinstance(thread, int) else thread.pk
    return (
        Post.objects.filter(thread_id=thread_id, pk__gt=after)
        # What the post partial (the events' and the API's ``html``) reads.
        .select_related("author", "thread__cohort", "reply_to__author")
        .order_by("pk")
    )


def _pointer(user: Any) -> Subquery:
    return Subquery(
        ReadState.objects.filter(user=user, thread=OuterRef("pk")).values("last_read_post_id")[:1],
        output_field=IntegerField(),
    )


def with_unread(qs: QuerySet[Thread], user: Any) -> QuerySet[Thread]:
    """Annotate ``unread``: visible posts after the viewer's read pointer, as one subquery
    per row of the same SELECT (no query per thread)."""
    pointer = Coalesce(
        Subquery(
            ReadState.objects.filter(user=user, thread=OuterRef(OuterRef("pk"))).values(
                "last_read_post_id"
            )[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )
    unread = (
        Post.objects.filter(thread=OuterRef("pk"), deleted_at__isnull=True, hidden_at__isnull=True)
        .filter(pk__gt=pointer)
        .order_by()
        .values("thread")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return qs.annotate(
        unread=Coalesce(Subquery(unread, output_field=IntegerField()), Value(0)),
        read_pointer=Coalesce(_pointer(user), Value(0)),
    )


def threads_of(cohort: Cohort, user: Any, *, unread_only: bool = False) -> QuerySet[Thread]:
    """A cohort's threads, pinned first then by last activity, with the viewer's unread
    count on each (only those with something unread when ``unread_only``)."""
    qs = Thread.objects.filter(cohort=cohort).select_related(
        "cohort", "created_by", "last_poster", "session", "goal"
    )
    qs = with_unread(qs, user)
    if unread_only:
        qs = qs.filter(unread__gt=0)  # type: ignore[misc]
    return qs.order_by("-pinned", "-last_activity_at", "-pk")


def latest_threads(cohort: Cohort, user: Any, *, limit: int = 5) -> list[Thread]:
    """The cohort's most recently active threads with the viewer's unread count on each
    (one query), for the Discussions card of the cohort's home."""
    qs = Thread.objects.filter(cohort=cohort).select_related("cohort", "last_poster")
    return list(with_unread(qs, user).order_by("-last_activity_at", "-pk")[:limit])


def recent_posts(cohort: Cohort, *, limit: int = 8) -> list[Post]:
    """The cohort's newest visible posts, authors and threads joined (one query)."""
    return list(
        Post.objects.filter(thread__cohort=cohort, deleted_at__isnull=True, hidden_at__isnull=True)
        .select_related("author", "thread__cohort")
        .order_by("-pk")[:limit]
    )


def welcome_thread(cohort: Cohort) -> Thread | None:
    """The thread a newcomer should read first: the pinned announcement, else the first
    pinned thread (one query)."""
    return (
        Thread.objects.filter(cohort=cohort, pinned=True)
        .select_related("cohort")
        .order_by("-announcement", "created_at", "pk")
        .first()
    )


def unread_threads_for(user: Any, *, limit: int = 8) -> list[Thread]:
    """Threads with unread posts in the viewer's cohorts, most recently active first."""
    if not getattr(user, "is_authenticated", False):
        return []
    qs = permissions.threads_visible_to(user).select_related("cohort", "last_poster")
    muted = ThreadSubscription.objects.filter(
        user=user, level=ThreadSubscription.Level.MUTED
    ).values("thread_id")
    # "unread" is the annotation with_unread adds (mypy's plugin cannot follow it).
    qs = with_unread(qs.exclude(pk__in=muted), user).filter(unread__gt=0)  # type: ignore[misc]
    return list(qs.order_by("-last_activity_at", "-pk")[:limit])


def unread_by_cohort(user: Any, cohort: Cohort) -> int:
    """How many threads in ``cohort`` have posts the viewer has not read (one query)."""
    unread = with_unread(Thread.objects.filter(cohort=cohort), user)
    return unread.filter(unread__gt=0).count()  # type: ignore[misc]


@dataclass
class ReactionButton:
    kind: str
    label: str
    emoji: str
    count: int
    mine: bool

    @property
    def summary(self) -> str:
        """What the chip says to a screen reader and in its tooltip: "Thumbs up, 2 people,
        including you" (static/js/thread.js writes the same words when counts change)."""
        return reaction_summary(self.label, self.count, self.mine)


def reaction_summary(label: str, count: int, mine: bool) -> str:
    if count <= 0:
        return label
    if mine and count == 1:
        return f"{label}, you"
    people = "1 person" if count == 1 else f"{count} people"
    return f"{label}, {people}, including you" if mine else f"{label}, {people}"


REACTION_ROWS = Reaction.objects.only("id", "post_id", "user_id", "kind")


def empty_reaction_buttons() -> list[ReactionButton]:
    """Every reaction, unused: the picker a post shows before anyone has reacted."""
    return [
        ReactionButton(
            kind=value,
            label=label.split(" ", 1)[1],
            emoji=label.split(" ", 1)[0],
            count=0,
            mine=False,
        )
        for value, label in Reaction.Kind.choices
    ]


POSTS_PER_PAGE = 50


def post_total(thread: Thread) -> int:
    return Post.objects.filter(thread=thread).count()


def page_count(thread: Thread, total: int | None = None) -> int:
    total = post_total(thread) if total is None else total
    return max(1, -(-total // POSTS_PER_PAGE))


def page_of_post(thread: Thread, post_id: int) -> int:
    """The page (1-based) a post is on, oldest posts on page 1."""
    before = Post.objects.filter(thread=thread, pk__lt=post_id).count()
    return before // POSTS_PER_PAGE + 1


def _page_ids(thread: Thread, start: int, total: int | None) -> list[int]:
    """The ids of one page, read from the (thread, id) index only. Pages in the second half
    are counted from the end, so the latest page of a 100,000-post thread skips nothing."""
    ids = Post.objects.filter(thread=thread)
    if total is not None and start >= total / 2:
        size = max(0, min(POSTS_PER_PAGE, total - start))
        skip = max(0, total - start - size)
        found = ids.order_by("-pk").values_list("pk", flat=True)[skip : skip + size]
        return sorted(found)
    return list(ids.order_by("pk").values_list("pk", flat=True)[start : start + POSTS_PER_PAGE])


def posts_of(thread: Thread, viewer: Any, *, page: int = 1, total: int | None = None) -> list[Post]:
    """One page of the thread's posts, oldest first, each with ``reaction_buttons`` and the
    author and quoted post already loaded: a fixed number of queries, however long the
    thread (the page's ids come from the index first; only those rows are joined)."""
    start = (max(1, page) - 1) * POSTS_PER_PAGE
    page_ids = _page_ids(thread, start, total)
    posts: list[Any] = list(
        Post.objects.filter(pk__in=page_ids)
        .select_related("author", "reply_to__author")
        .order_by("pk")
    )
    # The reactions as bare rows: only their counts and the viewer's own are shown.
    counts: dict[int, dict[str, int]] = {}
    mine: dict[int, set[str]] = {}
    viewer_id = getattr(viewer, "pk", None)
    rows = Reaction.objects.filter(post_id__in=page_ids).values_list("post_id", "user_id", "kind")
    for post_id, user_id, kind in rows:
        per_post = counts.setdefault(post_id, {})
        per_post[kind] = per_post.get(kind, 0) + 1
        if user_id == viewer_id:
            mine.setdefault(post_id, set()).add(kind)
    kinds = [(value, *label.split(" ", 1)) for value, label in Reaction.Kind.choices]
    for post in posts:
        post.thread = thread
        post_counts, post_mine = counts.get(post.pk, {}), mine.get(post.pk, set())
        post.reaction_buttons = [
            ReactionButton(
                kind=value,
                label=label,
                emoji=emoji,
                count=post_counts.get(value, 0),
                mine=value in post_mine,
            )
            for value, emoji, label in kinds
        ]
    return posts


def subscription_level(thread: Thread, user: Any) -> str | None:
    return (
        ThreadSubscription.objects.filter(user=user, thread=thread)
        .values_list("level", flat=True)
        .first()
    )


def first_unread_post_id(thread: Thread, user: Any) -> int | None:
    """The viewer's first visible post after their read pointer (one query: the pointer
    is a subquery)."""
    if getattr(user, "is_authenticated", False):
        mark = ReadState.objects.filter(user=user, thread=thread).values("last_read_post_id")
        pointer: Any = Coalesce(Subquery(mark[:1], output_field=IntegerField()), Value(0))
    else:
        pointer = 0
    return (
        Post.objects.filter(
            thread=thread,
            deleted_at__isnull=True,
            hidden_at__isnull=True,
        )
        .filter(pk__gt=pointer)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )


def post_counts_by_author(cohort: Cohort) -> dict[int, int]:
    """How many (still visible) posts each person wrote in the cohort's threads: one query.
    Counts only; used by the facilitators' participation view."""
    rows = (
        Post.objects.filter(thread__cohort=cohort, deleted_at__isnull=True, hidden_at__isnull=True)
        .values("author_id")
        .annotate(n=Count("pk"))
    )
    return {row["author_id"]: row["n"] for row in rows}
