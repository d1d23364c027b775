"""Discussion pages. Every page works with plain HTML forms; thread.js posts and edits
through the REST API (discussions/api.py), not through these views. Anything the viewer may
not see is a 404; service refusals are shown, keeping what the person typed."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from cohorts.permissions import access_cohort
from core import quota
from core.errors import status_for
from core.markdown import render_markdown
from core.pages import refuse, wants_json
from discussions import permissions, post_cache, selectors, services
from discussions.forms import EditForm, PostForm, ThreadForm
from discussions.models import POST_MAX, Post, Reaction, Thread, ThreadSubscription
from discussions.permissions import RESTORE_DAYS, access_post, access_thread
from discussions.post_actions import actions_for
from discussions.services.posts import cohort_handles

QUOTE_LIMIT = 1200


def _thread_url(thread: Thread, post_id: int | None = None) -> str:
    """The thread, on the page that holds ``post_id`` (and scrolled to it)."""
    url = reverse("discussions:thread", args=[thread.cohort.slug, thread.pk])
    if not post_id:
        return url
    page = selectors.page_of_post(thread, post_id)
    return f"{url}?page={page}#post-{post_id}" if page > 1 else f"{url}#post-{post_id}"


def _refuse(request: HttpRequest, thread: Thread, error: services.DiscussionError) -> HttpResponse:
    """A refused action from a button (react, delete...): say why, back on the thread."""
    return refuse(request, error, back_to=_thread_url(thread))


# --- Thread list ---------------------------------------------------------------------------


@require_GET
def thread_list(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = access_cohort(request.user, slug=slug, need="content")
    unread_only = request.GET.get("show") == "unread"
    threads = list(selectors.threads_of(cohort, request.user, unread_only=unread_only))
    return render(
        request,
        "discussions/thread_list.html",
        {
            "cohort": cohort,
            "threads": threads,
            "unread_only": unread_only,
            "any_unread": any(t.unread for t in threads),
            "can_start": permissions.can_start_thread(request.user, cohort),
        },
    )


def thread_new(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = access_cohort(request.user, slug=slug, need="content")
    if not permissions.can_start_thread(request.user, cohort):
        raise Http404("No such page.")
    can_announce = permissions.can_moderate(request.user, cohort)
    form = ThreadForm(request.POST or None, cohort=cohort, can_announce=can_announce)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            thread = services.thread_create(
                cohort=cohort,
                author=request.user,
                title=data["title"],
                body=data["body"],
                session=data.get("session"),
                goal=data.get("goal"),
                announcement=bool(data.get("announcement")),
                client_id=str(data["client_id"]) if data.get("client_id") else None,
            )
        except services.DiscussionError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Your thread is started.")
            return redirect(_thread_url(thread))
    return render(request, "discussions/thread_new.html", {"cohort": cohort, "form": form})


@require_POST
def read_all(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = access_cohort(request.user, slug=slug, need="content")
    services.cohort_mark_all_read(cohort=cohort, user=request.user)
    messages.success(request, "Every thread is marked as read.")
    return redirect("discussions:list", slug)


# --- Thread page ---------------------------------------------------------------------------


def _quote(post: Post) -> str:
    text = post.body if len(post.body) <= QUOTE_LIMIT else post.body[:QUOTE_LIMIT] + "…"
    quoted = "\n".join(f"> {line}" if line else ">" for line in text.splitlines())
    return f"> **{post.author_name}** wrote:\n{quoted}\n\n"


def _thread_context(
    request: HttpRequest, thread: Thread, form: PostForm | None = None
) -> dict[str, Any]:
    user = request.user
    total = selectors.post_total(thread)
    pages = selectors.page_count(thread, total)
    page = _int(request.GET.get("page"))
    first_unread_id = selectors.first_unread_post_id(thread, user)
    if page is None:
        # Open where the reading left off: the first unread post's page, else the last.
        page = selectors.page_of_post(thread, first_unread_id) if first_unread_id else pages
    page = min(max(1, page), pages)
    posts = selectors.posts_of(thread, user, page=page, total=total)
    by_id = {p.pk: p for p in posts}
    first_unread = first_unread_id if first_unread_id in by_id else None
    can_post = permissions.can_post(user, thread)
    moderator = permissions.can_moderate(user, thread)
    if form is None:
        initial: dict[str, Any] = {}
        reply_to = by_id.get(_int(request.GET.get("reply_to")))
        if reply_to is not None and reply_to.is_visible:
            initial["reply_to"] = reply_to.pk
            if request.GET.get("quote"):
                initial["body"] = _quote(reply_to)
        form = PostForm(initial=initial)
    replying_to = by_id.get(_int(form["reply_to"].value()))
    for post in posts:
        post.can_edit = post.author_id == user.pk and post.is_visible and can_post
        # Only a removed post can be restored (can_restore is False for the others).
        post.can_restore = not post.is_visible and permissions.can_restore(user, post)
    posts_html = None
    if post_cache.enabled():
        viewer = post_cache.Viewer(
            user_id=user.pk,
            is_member=can_post,
            can_post=can_post and not thread.locked,
            moderator=moderator,
            first_unread=first_unread,
            csrf_token=get_token(request),
            mine={p.pk: {b.kind for b in p.reaction_buttons if b.mine} for p in posts},
            can_edit={p.pk: p.can_edit for p in posts},
            can_restore={p.pk: p.can_restore for p in posts},
            actions={p.pk: actions_for(user, p) for p in posts},
        )
        posts_html = post_cache.page_html(posts, viewer)
    return {
        "cohort": thread.cohort,
        "thread": thread,
        "posts": posts,
        # The posts' HTML from the post cache (None: each is rendered with _post.html).
        "posts_html": posts_html,
        "last_post_id": posts[-1].pk if posts else 0,
        "first_unread": first_unread,
        "first_unread_elsewhere": first_unread_id if first_unread is None else None,
        # Something up to the last post on this page is unread: marking it read helps.
        "page_unread": bool(first_unread_id and posts and first_unread_id <= posts[-1].pk),
        "page": page,
        "pages": pages,
        "page_range": _page_window(page, pages),
        "is_last_page": page == pages,
        "form": form,
        "replying_to": replying_to,
        "can_post": can_post and not thread.locked,
        "is_member": can_post,
        "moderator": moderator,
        "level": selectors.subscription_level(thread, user),
        "levels": ThreadSubscription.Level,
    }


def _page_window(page: int, pages: int) -> list[int | None]:
    """Page links to show: the first, the last and two either side of this one; ``None``
    marks a gap (so a 2,000-page thread still has a short navigation)."""
    wanted = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
    window: list[int | None] = []
    for n in wanted:
        if window and window[-1] is not None and n - window[-1] > 1:
            window.append(None)
        window.append(n)
    return window


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@require_GET
def thread_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    thread = access_thread(request.user, thread_id=pk, cohort_slug=slug)
    # Opening the page reads nothing (an image or a prefetch can make a browser GET it):
    # thread.js, or the "Mark as read" button, posts to thread_read.
    return render(request, "discussions/thread.html", _thread_context(request, thread))


@require_POST
def post_create(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    form = PostForm(request.POST)
    error: services.DiscussionError | None = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            # One read of the thread and of the right to post, under the service's lock
            # (404 for a thread the person may not read, as access_thread answers).
            post, _created = services.post_create(
                thread=pk,
                cohort_slug=slug,
                author=request.user,
                body=data["body"],
                client_id=data.get("client_id"),
                reply_to=data.get("reply_to") or None,
            )
        except services.DiscussionError as exc:
            error = exc
            form.add_error(None, exc.message)
        else:
            return redirect(_thread_url(post.thread, post.pk))
    # Refused: the page again, with what they wrote kept in the form.
    thread = access_thread(request.user, thread_id=pk, cohort_slug=slug)
    status = status_for(error.code) if error is not None else 400
    return render(
        request, "discussions/thread.html", _thread_context(request, thread, form), status=status
    )


# --- One post ------------------------------------------------------------------------------


def post_edit(request: HttpRequest, slug: str, pk: int, post_id: int) -> HttpResponse:
    post = access_post(request.user, post_id=post_id, thread_id=pk, cohort_slug=slug, need="edit")
    thread = post.thread
    stale: Post | None = None
    if request.method == "POST":
        form = EditForm(request.POST)
        if form.is_valid():
            try:
                services.post_edit(
                    post=post,
                    by=request.user,
                    body=form.cleaned_data["body"],
                    version=form.cleaned_data["version"],
                )
            except services.StaleVersion as exc:
                stale = exc.current
                # Keep their text, but base the next attempt on the version that stands now,
                # so resubmitting is a deliberate choice made with both texts in view.
                form = EditForm(data={"body": form.cleaned_data["body"], "version": stale.version})
                form.is_valid()
                form.add_error(None, exc.message)
            except services.DiscussionError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "Your post is updated.")
                return redirect(_thread_url(thread, post.pk))
    else:
        form = EditForm(initial={"body": post.body, "version": post.version})
    return render(
        request,
        "discussions/post_edit.html",
        {"cohort": thread.cohort, "thread": thread, "post": post, "form": form, "stale": stale},
        status=409 if stale is not None else 200,
    )


@require_GET
def post_history(request: HttpRequest, slug: str, pk: int, post_id: int) -> HttpResponse:
    post = access_post(request.user, post_id=post_id, thread_id=pk, cohort_slug=slug, need="text")
    thread = post.thread
    revisions = list(post.revisions.select_related("edited_by").order_by("-version"))
    return render(
        request,
        "discussions/post_history.html",
        {"cohort": thread.cohort, "thread": thread, "post": post, "revisions": revisions},
    )


def _post_action(request: HttpRequest, slug: str, pk: int, post_id: int, action: Any, done: str):
    post = access_post(request.user, post_id=post_id, thread_id=pk, cohort_slug=slug)
    thread = post.thread
    try:
        post = action(post=post, by=request.user)
    except services.DiscussionError as error:
        return _refuse(request, thread, error)
    messages.success(request, done)
    return redirect(_thread_url(thread, post.pk))


@require_POST
def post_delete(request: HttpRequest, slug: str, pk: int, post_id: int) -> HttpResponse:
    return _post_action(
        request,
        slug,
        pk,
        post_id,
        services.post_delete,
        f"Your post is deleted. You can restore it for {RESTORE_DAYS} days.",
    )


@require_POST
def post_restore(request: HttpRequest, slug: str, pk: int, post_id: int) -> HttpResponse:
    return _post_action(request, slug, pk, post_id, services.post_restore, "The post is restored.")


@require_POST
def post_hide(request: HttpRequest, slug: str, pk: int, post_id: int) -> HttpResponse:
    return _post_action(
        request, slug, pk, post_id, services.post_hide, "The post is hidden from the cohort."
    )


@require_POST
def post_react(request: HttpRequest, slug: str, pk: int, post_id: int) -> HttpResponse:
    post = access_post(request.user, post_id=post_id, thread_id=pk, cohort_slug=slug, need="react")
    thread = post.thread
    try:
        on = services.reaction_toggle(
            post=post, user=request.user, kind=request.POST.get("kind", "")
        )
    except services.DiscussionError as error:
        return _refuse(request, thread, error)
    if wants_json(request):
        # The counts as they stand and the viewer's own reactions: the page updates its
        # chips from this answer, without a reload.
        rows = list(post.reactions.values_list("kind", "user_id"))
        counts = dict.fromkeys(Reaction.Kind.values, 0)
        for kind, _user in rows:
            counts[kind] += 1
        mine = sorted({kind for kind, user_id in rows if user_id == request.user.pk})
        return JsonResponse({"on": on, "counts": counts, "mine": mine})
    return redirect(_thread_url(thread, post.pk))


# --- Markdown preview ----------------------------------------------------------------------

PREVIEW_PER_DAY = 500


@require_POST
def preview(request: HttpRequest, slug: str) -> HttpResponse:
    """The composer's "Preview": ``body`` rendered by the same Markdown renderer and
    sanitiser as a saved post (nothing is stored). Only people who may start or reply to
    threads in the cohort, a post's size at most, and a daily allowance per person."""
    cohort = access_cohort(request.user, slug=slug, need="content")
    if not permissions.can_start_thread(request.user, cohort):
        raise Http404("No such page.")
    body = request.POST.get("body", "")
    if len(body) > POST_MAX:
        return JsonResponse(
            {"code": "invalid", "detail": f"A post can be at most {POST_MAX} characters."},
            status=400,
        )
    if not quota.take("discussions.preview", request.user.pk, limit=PREVIEW_PER_DAY):
        return JsonResponse(
            {"code": "throttled", "detail": "Too many previews today. Post, or try tomorrow."},
            status=429,
        )
    return JsonResponse({"html": str(render_markdown(body))})


# --- Thread settings -----------------------------------------------------------------------


@require_POST
def thread_flags(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    thread = access_thread(request.user, thread_id=pk, cohort_slug=slug)

    def flag(name: str) -> bool | None:
        value = request.POST.get(name)
        return None if value is None else value in ("1", "true", "on")

    try:
        thread = services.thread_set_flags(
            thread=thread, by=request.user, pinned=flag("pinned"), locked=flag("locked")
        )
    except services.DiscussionError as error:
        return _refuse(request, thread, error)
    state = []
    if "pinned" in request.POST:
        state.append("pinned" if thread.pinned else "unpinned")
    if "locked" in request.POST:
        state.append("locked" if thread.locked else "unlocked")
    messages.success(request, f"The thread is {' and '.join(state) or 'unchanged'}.")
    return redirect(_thread_url(thread))


@require_POST
def thread_follow(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    thread = access_thread(request.user, thread_id=pk, cohort_slug=slug)
    level = request.POST.get("level", "")
    try:
        services.thread_subscribe(
            thread=thread, user=request.user, level=None if level == "default" else level
        )
    except services.DiscussionError as error:
        return _refuse(request, thread, error)
    said = {
        ThreadSubscription.Level.FOLLOWING: "You follow this thread: you'll hear of new replies.",
        ThreadSubscription.Level.MUTED: "This thread is muted: no notifications from it.",
    }
    messages.success(request, said.get(level, "Back to the default: you hear of mentions only."))
    return redirect(_thread_url(thread))


_POST_ID_RE = re.compile(r"[1-9][0-9]*")


@require_POST
def thread_read(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Mark the thread read up to ``up_to`` (a post id; past the last post means up to the
    last post), or all of it when ``up_to`` is not sent. Reading is only ever this POST,
    from thread.js or the page's "Mark as read" button: never a side effect of a GET."""
    thread = access_thread(request.user, thread_id=pk, cohort_slug=slug)
    raw = request.POST.get("up_to")
    up_to = None
    if raw is not None:
        if not _POST_ID_RE.fullmatch(raw):
            detail = "up_to must be a post id (a positive whole number)."
            if wants_json(request):
                return JsonResponse({"code": "invalid", "detail": detail}, status=400)
            return render(request, "400.html", {"detail": detail}, status=400)
        # Past the last post (however many digits) is up to the last post.
        last = thread.last_post_id or 0
        up_to = last if len(raw) > len(str(last)) else min(int(raw), last)
    pointer = services.thread_mark_read(thread=thread, user=request.user, up_to=up_to)
    if wants_json(request):
        return JsonResponse({"last_read_post_id": pointer})
    return redirect(_thread_url(thread))


@require_GET
def first_unread(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    thread = access_thread(request.user, thread_id=pk, cohort_slug=slug)
    post_id = selectors.first_unread_post_id(thread, request.user) or thread.last_post_id
    return redirect(_thread_url(thread, post_id))


@require_GET
def mentions(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Cohort members' @handles (unique, each person's own) for autocomplete; ``?q=``
    filters by the start of the handle or of the name."""
    thread = access_thread(request.user, thread_id=pk, cohort_slug=slug, need="post")
    query = request.GET.get("q", "").strip().lower().lstrip("@")
    people = [
        {"handle": person.handle, "name": person.display_name, "id": person.pk}
        for handle, person in cohort_handles(thread).items()
        if person.pk != request.user.pk
        and (not query or handle.startswith(query) or person.display_name.lower().startswith(query))
    ]
    people.sort(key=lambda p: p["handle"].lower())
    return JsonResponse({"results": people[:20]})
