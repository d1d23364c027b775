"""Posts: idempotent creation, versioned edits, soft delete, moderation, reactions."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from cohorts.models import Membership
from core.deferred import on_commit_after_response
from core.errors import ServiceError, not_found
from core.markdown import render_markdown, sanitize_html
from core.realtime import publish_on_commit, thread_group
from core.text import clean_multiline
from discussions import post_cache, search_index
from discussions.events import post_payload
from discussions.models import (
    POST_MAX,
    Mention,
    Post,
    PostRevision,
    Reaction,
    ReadState,
    Thread,
    ThreadSubscription,
)
from discussions.permissions import RESTORE_DAYS

FOLLOWING = ThreadSubscription.Level.FOLLOWING
MENTION_RE = re.compile(r"(?<![\w@/])@([a-z0-9][a-z0-9_-]{0,62})", re.IGNORECASE)


class DiscussionError(ServiceError):
    """A request the discussion rules refuse; ``message`` is written for the person who
    asked."""


class StaleVersion(DiscussionError):
    """An edit based on an old version: nothing is overwritten; ``current`` is the post as
    it stands, so both texts can be shown."""

    def __init__(self, current: Post) -> None:
        super().__init__(
            "Someone changed this post while you were editing it.", code="stale_version"
        )
        self.current = current


def mention_handle(user: User) -> str:
    """The name people type after @: the person's own handle, unique and stable (a display
    name can be copied; a handle cannot)."""
    return user.handle


def cohort_handles(thread: Thread) -> dict[str, User]:
    """The cohort's seated people by handle, in lower case (mentions ignore case)."""
    people = User.objects.filter(
        memberships__cohort_id=thread.cohort_id, memberships__status__in=Membership.SEATED
    )
    return {person.handle.lower(): person for person in people}


# A tag of sanitised HTML (attribute values may hold ">" when quoted).
_TAG_RE = re.compile(r"""(<(?:[^>"']|"[^"]*"|'[^']*')*>)""")
_TAG_NAME_RE = re.compile(r"</?([a-zA-Z0-9]+)")
# Text inside these stays literal: code, and link text (a mention there would nest links).
_NO_MENTIONS_IN = {"code", "pre", "a"}


def _render(body: str, handles: dict[str, User]) -> tuple[str, dict[str, User]]:
    """Markdown to safe HTML, with @handles of cohort members linked to their profiles.
    Returns the HTML and who was mentioned, by the handle used (lower case).

    Mentions are found in the rendered HTML's text, outside code and links, so every kind
    of code (spans with any number of backticks, ``` and ~~~ fences, indented blocks)
    keeps them literal, exactly as the Markdown parser decides what is code."""
    mentioned: dict[str, User] = {}

    def link(match: re.Match[str]) -> str:
        handle = match.group(1).lower()
        person = handles.get(handle)
        if person is None:
            return match.group(0)
        mentioned.setdefault(handle, person)
        return f'<a href="/people/{person.pk}/">@{match.group(1)}</a>'

    html = str(render_markdown(body))
    out: list[str] = []
    literal = 0
    for part in _TAG_RE.split(html):
        if part.startswith("<"):
            name = _TAG_NAME_RE.match(part)
            if name and name.group(1).lower() in _NO_MENTIONS_IN and not part.endswith("/>"):
                literal = max(0, literal + (-1 if part.startswith("</") else 1))
            out.append(part)
        else:
            out.append(part if literal else MENTION_RE.sub(link, part))
    return sanitize_html("".join(out)), mentioned


def _mention_rows(post: Post, mentioned: dict[str, User], known: set[int]) -> list[Mention]:
    """One row per person (the first handle they were mentioned by), skipping ``known``."""
    rows: dict[int, Mention] = {}
    for handle, person in mentioned.items():
        if person.pk not in known and person.pk not in rows:
            rows[person.pk] = Mention(post=post, user=person, handle=handle)
    return list(rows.values())


def _check_can_write(thread: Thread, author: User) -> None:
    from discussions import permissions

    if thread.locked:
        raise DiscussionError("This thread is locked: no new posts can be added.", code="locked")
    if not permissions.can_post(author, thread):
        raise DiscussionError("You cannot post in this cohort.", code="forbidden")


def _body(body: str | None) -> str:
    """A post's Markdown, held to the one rule for long texts (line breaks kept, other
    control characters dropped, at most ``POST_MAX`` characters)."""
    body = clean_multiline(body or "").strip()
    if len(body) > POST_MAX:
        raise DiscussionError(
            f"A post can be at most {POST_MAX:,} characters (this one has {len(body):,}).",
            code="too_long",
        )
    return body


def post_create(
    *,
    thread: Thread | int,
    author: User,
    body: str,
    client_id: uuid.UUID | str | None = None,
    reply_to: Post | int | None = None,
    notify_people: bool = True,
    cohort_slug: str | None = None,
) -> tuple[Post, bool]:
    """Add a post; returns (post, created). The same ``client_id`` from the same author
    returns the first post again, so a retried submit never posts twice.

    Only what must be in the transaction is: the thread is locked and the author's right
    to post checked in one query (``thread`` may be an id: a thread that does not exist or
    that they may not read is a 404, as :func:`permissions.thread_for_posting` says; with
    ``cohort_slug`` it must belong to that cohort), the post and its mentions are written,
    the thread's counters moved, the author follows the thread and has read it up to their
    post. After commit the post is published to the thread's sockets, and the work that can
    wait (telling followers and the people mentioned, which may mean mail) is queued as
    :func:`discussions.tasks.post_announce`."""
    if client_id is not None:
        client_id = uuid.UUID(str(client_id))
    thread_id = thread if isinstance(thread, int) else thread.pk
    if client_id is not None and _client_id_used(author, client_id):
        # A retried submit gets its post back (even if the thread was locked since), as
        # long as the author may still post in the cohort.
        existing = _by_client_id(author, client_id, thread_id)
        if existing is not None:
            from discussions import permissions

            if not permissions.can_post(author, existing.thread):
                if isinstance(thread, int) and not permissions.can_view_thread(
                    author, existing.thread
                ):
                    raise not_found()
                raise DiscussionError(permissions.CANNOT_POST, code="forbidden")
            return existing, False
    try:
        post = _post_insert(
            thread_id=thread_id,
            by_id=isinstance(thread, int),
            cohort_slug=cohort_slug,
            author=author,
            body=body,
            client_id=client_id,
            reply_to=reply_to,
            notify_people=notify_people,
        )
    except IntegrityError:
        # The same client_id again (a retried submit, or two at once): the unique
        # constraint refused the second post; answer with the first one.
        if client_id is None:
            raise
        existing = _by_client_id(author, client_id, thread_id)
        if existing is None:
            raise
        return existing, False
    return post, True


def _client_id_used(author: User, client_id: uuid.UUID) -> bool:
    """Whether the author has a post made with ``client_id``: nearly every submit is new,
    and this one indexed look (no joins) is all it pays. Only a retry reads the post with
    what the answer shows (:func:`_by_client_id`, about 2 ms more)."""
    return Post.objects.filter(author=author, client_id=client_id).exists()


def _by_client_id(author: User, client_id: uuid.UUID, thread_id: int) -> Post | None:
    """The author's post made with ``client_id``, if any; one in another thread is a
    conflict."""
    existing = (
        Post.objects.select_related("author", "thread__cohort", "reply_to__author")
        .filter(author=author, client_id=client_id)
        .first()
    )
    if existing is not None and existing.thread_id != thread_id:
        raise DiscussionError("That client_id was used for another thread.", code="conflict")
    return existing


def _post_insert(
    *,
    thread_id: int,
    by_id: bool,
    cohort_slug: str | None,
    author: User,
    body: str,
    client_id: uuid.UUID | None,
    reply_to: Post | int | None,
    notify_people: bool,
) -> Post:
    """The transaction of :func:`post_create` (a savepoint when called inside another)."""
    from discussions import permissions
    from discussions.tasks import post_announce

    with transaction.atomic():
        try:
            thread = permissions.thread_for_posting(
                author, thread_id=thread_id, cohort_slug=cohort_slug, lock=True
            )
        except ServiceError as refusal:
            raise DiscussionError(refusal.message, code=refusal.code) from None
        except Http404:
            if by_id:
                raise
            # The caller holds the thread already: a refusal, not a hiding 404.
            raise DiscussionError(permissions.CANNOT_POST, code="forbidden") from None
        if thread.locked:
            raise DiscussionError(
                "This thread is locked: no new posts can be added.", code="locked"
            )
        body = _body(body)
        if not body:
            raise DiscussionError("Write something before posting.", code="blank")
        if isinstance(reply_to, int):
            reply_to = (
                Post.objects.select_related("author").filter(pk=reply_to, thread=thread).first()
            )
            if reply_to is None:
                raise DiscussionError("You can only reply to a post in the same thread.")
        elif reply_to is not None and reply_to.thread_id != thread.pk:
            raise DiscussionError("You can only reply to a post in the same thread.")
        # The cohort's handles are looked up only when the text may mention someone.
        handles = cohort_handles(thread) if MENTION_RE.search(body) else {}
        body_html, mentioned = _render(body, handles)
        post = Post.objects.create(
            thread=thread,
            author=author,
            body=body,
            body_html=body_html,
            client_id=client_id,
            reply_to=reply_to,
        )
        if mentioned:
            Mention.objects.bulk_create(_mention_rows(post, mentioned, set()))
        search_index.index_post(post, new=True)
        Thread.objects.filter(pk=thread.pk).update(
            post_count=F("post_count") + 1,
            last_post=post,
            last_poster=author,
            last_activity_at=post.created_at,
        )
        thread.last_post_id = post.pk
        # The author follows what they write in (a mute they chose stays) and has read the
        # thread up to their own post, which is its newest: the thread is locked. Whether
        # they have a subscription was read by the locking query, possibly before it waited
        # for the lock: two posts of theirs at once may both find none, so the insert still
        # ignores a conflict.
        if not thread.author_subscribed:  # type: ignore[attr-defined]  # thread_for_posting
            ThreadSubscription.objects.bulk_create(
                [ThreadSubscription(user=author, thread=thread, level=FOLLOWING)],
                ignore_conflicts=True,
            )
        ReadState.objects.bulk_create(
            [ReadState(user=author, thread=thread, last_read_post_id=post.pk)],
            update_conflicts=True,
            unique_fields=["user", "thread"],
            update_fields=["last_read_post_id"],
        )
        post.thread = thread
        post.reaction_rows = []  # type: ignore[attr-defined]  # a new post has none
        payload = post_payload(post, new=True)
        # Rendered once: the API's answer shows the same html the sockets receive.
        post.live_html = payload["html"]  # type: ignore[attr-defined]
        publish_on_commit(thread_group(thread.pk), {"type": "post.created", "post": payload})
        if notify_people:
            # After the answer; a queue that cannot take the task is logged, the post stands.
            post_id = post.pk
            on_commit_after_response(
                lambda: post_announce.enqueue(post_id), what=f"queueing post {post_id}'s notices"
            )
    return post


@transaction.atomic
def post_edit(*, post: Post, by: User, body: str, version: int) -> Post:
    """Change a post's text. ``version`` is the one the edit started from; if the post has
    moved on since, :class:`StaleVersion` is raised and nothing is overwritten."""
    from discussions import permissions

    post = (
        Post.objects.select_for_update(of=("self", "thread", "thread__cohort"), no_key=True)
        .select_related("thread__cohort", "author")
        .get(pk=post.pk)
    )
    if not permissions.can_edit_post(by, post):
        raise DiscussionError("You can only edit your own posts.", code="forbidden")
    if post.thread.locked:
        raise DiscussionError("This thread is locked.", code="locked")
    if int(version) != post.version:
        raise StaleVersion(post)
    body = _body(body)
    if not body:
        raise DiscussionError("A post cannot be empty; delete it instead.", code="blank")
    if body == post.body:
        return post
    PostRevision.objects.create(post=post, version=post.version, body=post.body, edited_by=by)
    # A handle already mentioned in this post stays with the person it meant then, even if
    # it has changed hands since; any other handle is resolved as it stands now.
    made = {m.handle: m.user for m in post.mentions.select_related("user") if m.handle}
    post.body_html, mentioned = _render(body, {**cohort_handles(post.thread), **made})
    post.body = body
    post.version += 1
    post.edited_at = timezone.now()
    post.save(update_fields=["body", "body_html", "version", "edited_at"])
    known = set(post.mentions.values_list("user_id", flat=True))
    Mention.objects.bulk_create(_mention_rows(post, mentioned, known), ignore_conflicts=True)
    search_index.index_post(post)
    transaction.on_commit(lambda: post_cache.forget([post.pk]))
    publish_on_commit(
        thread_group(post.thread_id), {"type": "post.updated", "post": post_payload(post)}
    )
    return post


def _refresh_thread_stats(post: Post) -> None:
    """A removed (or restored) post can change the thread's last post and poster, and
    leaves (or rejoins) the search index."""
    from discussions.services.threads import thread_rebuild_stats

    search_index.index_post(post)
    thread_rebuild_stats(thread_ids=[post.thread_id])


def _publish_removed(post: Post) -> None:
    publish_on_commit(
        thread_group(post.thread_id),
        {"type": "post.deleted", "thread": post.thread_id, "post_id": post.pk},
    )


@transaction.atomic
def post_delete(*, post: Post, by: User) -> Post:
    """Soft delete by the author; restorable by them (or a facilitator) for 30 days."""
    post = Post.objects.select_for_update(no_key=True).get(pk=post.pk)
    if post.author_id != by.pk:
        raise DiscussionError("You can only delete your own posts.", code="forbidden")
    if post.deleted_at is None:
        post.deleted_at = timezone.now()
        post.save(update_fields=["deleted_at"])
        transaction.on_commit(lambda: post_cache.forget([post.pk]))
        _refresh_thread_stats(post)
        _publish_removed(post)
    return post


@transaction.atomic
def post_hide(*, post: Post, by: User) -> Post:
    """A facilitator hides a post from the cohort (it stays restorable)."""
    from discussions import permissions

    post = (
        Post.objects.select_for_update(no_key=True).select_related("thread__cohort").get(pk=post.pk)
    )
    if not permissions.can_moderate(by, post.thread):
        raise DiscussionError("Only facilitators can hide posts.", code="forbidden")
    if post.hidden_at is None:
        post.hidden_at, post.hidden_by = timezone.now(), by
        post.save(update_fields=["hidden_at", "hidden_by"])
        transaction.on_commit(lambda: post_cache.forget([post.pk]))
        _refresh_thread_stats(post)
        _publish_removed(post)
    return post


@transaction.atomic
def post_restore(*, post: Post, by: User) -> Post:
    """Undo a delete (author, within 30 days) or a hide (facilitator)."""
    from discussions import permissions

    post = (
        Post.objects.select_for_update(of=("self", "thread", "thread__cohort"), no_key=True)
        .select_related("thread__cohort", "author")
        .get(pk=post.pk)
    )
    moderator = permissions.can_moderate(by, post.thread)
    changed = []
    if post.deleted_at is not None:
        if post.author_id != by.pk and not moderator:
            raise DiscussionError("Only the author can restore this post.", code="forbidden")
        if timezone.now() - post.deleted_at > timedelta(days=RESTORE_DAYS):
            raise DiscussionError("Posts can be restored for 30 days only.", code="expired")
        post.deleted_at = None
        changed.append("deleted_at")
    if post.hidden_at is not None:
        if not moderator:
            raise DiscussionError("Only facilitators can restore a hidden post.", code="forbidden")
        post.hidden_at, post.hidden_by = None, None
        changed += ["hidden_at", "hidden_by"]
    if changed:
        post.save(update_fields=changed)
        transaction.on_commit(lambda: post_cache.forget([post.pk]))
        _refresh_thread_stats(post)
        publish_on_commit(
            thread_group(post.thread_id), {"type": "post.updated", "post": post_payload(post)}
        )
    return post


@transaction.atomic
def reaction_toggle(*, post: Post, user: User, kind: str) -> bool:
    """Add the reaction, or take it back if it was there. Returns whether it is on now."""
    from discussions import permissions

    if kind not in Reaction.Kind.values:
        raise DiscussionError("Unknown reaction.")
    if not permissions.can_post(user, post.thread):
        raise DiscussionError("You cannot react in this cohort.", code="forbidden")
    deleted, _ = Reaction.objects.filter(post=post, user=user, kind=kind).delete()
    if not deleted:
        Reaction.objects.create(post=post, user=user, kind=kind)
    counts: dict[str, Any] = dict.fromkeys(Reaction.Kind.values, 0)
    for row in Reaction.objects.filter(post=post).values("kind").annotate(n=Count("pk")):
        counts[row["kind"]] = row["n"]
    transaction.on_commit(lambda: post_cache.forget([post.pk]))
    publish_on_commit(
        thread_group(post.thread_id),
        {"type": "post.reactions", "thread": post.thread_id, "post_id": post.pk, "counts": counts},
    )
    return not deleted
