"""The rendered HTML of posts, built once and reused by every reader of a thread page.

A post's partial (templates/discussions/_post.html) is rendered once per *shape* of the
post, with nothing in it that belongs to one viewer, and kept in Django's cache (Redis in
production). What depends on the viewer is marked in that fragment instead of decided:

- ``{% viewer "name" %}…{% endviewer %}`` regions (the unread marker, reply and quote, the
  author's edit and delete, a facilitator's hide and restore, the reaction picker) are kept
  or dropped per viewer by :func:`shows`, the same function that decides them when the
  template is rendered plainly;
- ``{% reaction_variants %}`` renders a reaction chip in its four forms (member or reader,
  the viewer's own reaction or not) and the viewer's one is kept;
- the actions other apps register (discussions/post_actions.py) are rendered once with a
  placeholder and filled in with each of the viewer's actions;
- the CSRF token is a placeholder replaced by the page's token.

Personalising a page is one pass over the page's fragments (splitting at the markers) and
a few string replacements; no template is rendered for a post that is cached. The result is the
same HTML the plain template renders for that viewer (tests/discussions/test_post_cache*.py
compares them for every kind of viewer and post).

Staleness: the key holds a digest of everything the fragment shows (the post's id, version,
text, state, author, the post it replies to, its reaction counts, the cohort and thread, the
time zone and language) and a per-post generation that :func:`forget` changes. A changed
post therefore never finds its old entry; a hidden or deleted post's old visible entry is
not only unreachable but, after ``forget``, orphaned until it expires. Who may see the page
at all is decided before any of this (``access_thread``); a removed post's fragment carries
no text, only its placeholder.

``POST_HTML_CACHE = False`` in the settings renders every post with the plain template (the
reference the cache is tested against).
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.conf import settings
from django.core.cache import cache as django_cache
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from core.deferred import on_commit_after_response

log = logging.getLogger(__name__)

# Bump when _post.html or _reaction.html change shape, so old fragments are not reused.
TEMPLATE_REVISION = 1
# How long a fragment lives unused; a generation outlives every fragment made under it.
FRAGMENT_TTL = 24 * 3600
GENERATION_TTL = 2 * FRAGMENT_TTL

# The names of the viewer-dependent regions of _post.html (see ``shows``).
REGIONS = ("unread", "poster", "author", "actions", "hide", "restore", "member")


@dataclass
class Viewer:
    """What the post partial needs to know about who reads it. ``mine``, ``can_edit``,
    ``can_restore`` and ``actions`` are per post id."""

    user_id: int | None
    is_member: bool = False  # may react (an active member)
    can_post: bool = False  # may reply and quote (an active member, thread not locked)
    moderator: bool = False
    first_unread: int | None = None
    csrf_token: str = ""
    mine: dict[int, set[str]] = field(default_factory=dict)
    can_edit: dict[int, bool] = field(default_factory=dict)
    can_restore: dict[int, bool] = field(default_factory=dict)
    actions: dict[int, list[Any]] = field(default_factory=dict)


def shows(name: str, *, post_id: int, author_id: int | None, viewer: Viewer) -> bool:
    """Whether the region ``name`` of post ``post_id`` is shown to ``viewer`` (not live)."""
    if name == "unread":
        return viewer.first_unread == post_id
    if name == "poster":
        return viewer.can_post
    if name == "author":
        return viewer.can_edit.get(post_id, False)
    if name == "actions":
        return True
    if name == "hide":
        return viewer.moderator and author_id != viewer.user_id
    if name == "restore":
        return viewer.can_restore.get(post_id, False)
    if name == "member":
        return viewer.is_member
    raise ValueError(f"Unknown post region: {name}")


def shows_live(name: str) -> bool:
    """The live partial (events.post_html) keeps every control its viewer might use, each
    marked with data-for for thread.js; it never marks a post unread nor offers restore."""
    return name not in ("unread", "restore")


# --- Markers --------------------------------------------------------------------------------


@cache
def _nonce() -> str:
    """A per-deployment word in every marker, so text that merely looks like a marker (user
    text is escaped and Markdown comments are stripped anyway) is never acted on."""
    return hashlib.blake2b(f"post-cache:{settings.SECRET_KEY}".encode(), digest_size=6).hexdigest()


def open_mark(key: str) -> str:
    return f"<!--pc{_nonce()} {key}-->"


def close_mark() -> str:
    return f"<!--/pc{_nonce()}-->"


def csrf_placeholder() -> str:
    return f"pccsrf{_nonce()}"


def action_placeholders() -> tuple[str, str]:
    """The url and label a fragment's one sample action is rendered with."""
    return f"pcurl{_nonce()}", f"pclabel{_nonce()}"


# --- Keys -----------------------------------------------------------------------------------


def _generation_key(post_id: int) -> str:
    return f"post-html:gen:{post_id}"


def _digest(post: Any, generation: str, zone: str, language: str) -> str:
    """Everything the viewer-neutral fragment shows, hashed: a post whose fragment would
    differ gets a different key."""
    reply = post.reply_to if post.reply_to_id else None
    parts: list[Any] = [
        TEMPLATE_REVISION,
        generation,
        zone,
        language,
        post.pk,
        post.version,
        post.thread_id,
        post.thread.cohort.slug,
        post.deleted_at is not None,
        post.hidden_at is not None,
        post.author_id,
        post.author_name,
        post.created_at.isoformat(),
        post.edited_at is not None,
        post.reply_to_id,
        post.body,
        post.body_html,
        [(b.kind, b.count) for b in post.reaction_buttons],
    ]
    if reply is not None:
        parts += [reply.version, reply.is_visible, reply.author_name, reply.body]
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def _fragment_key(post: Any, generation: str, zone: str, language: str, kind: str = "") -> str:
    return f"post-html{kind}:{post.pk}:{_digest(post, generation, zone, language)}"


def forget(post_ids: Iterable[int]) -> None:
    """Drop what is cached for these posts (their text, state or reactions changed): each
    gets a new generation, so its fragments are no longer found (they expire unused)."""
    ids = list(post_ids)
    if not ids:
        return
    fresh = uuid.uuid4().hex[:12]
    try:
        django_cache.set_many({_generation_key(pk): fresh for pk in ids}, GENERATION_TTL)
    except Exception:  # the cache is down: the digest still keeps changed posts apart
        log.warning("post cache: could not forget posts %s", ids, exc_info=True)


# --- Rendering ------------------------------------------------------------------------------


def enabled() -> bool:
    return bool(getattr(settings, "POST_HTML_CACHE", True))


def _neutral_buttons(post: Any) -> list[Any]:
    return [dataclasses.replace(b, mine=False) for b in post.reaction_buttons]


def _render_fragment(post: Any) -> str:
    """The post partial for no one in particular, with its viewer regions marked."""
    viewer_buttons = post.reaction_buttons
    post.reaction_buttons = _neutral_buttons(post)
    try:
        return render_to_string(
            "discussions/_post.html",
            {
                "post": post,
                "thread": post.thread,
                "cohort": post.thread.cohort,
                "fragment": True,
                "csrf_token": csrf_placeholder(),
            },
        )
    finally:
        post.reaction_buttons = viewer_buttons


def fragments(posts: Sequence[Any]) -> list[str]:
    """The viewer-neutral fragment of each post, from the cache where it is there: two
    ``get_many`` and at most one ``set_many``, however many posts."""
    return _cached(posts, _render_fragment, timezone.get_current_timezone_name(), kind="")


def live_fragments(
    posts: Sequence[Any], render: Callable[[Any], str], *, new: bool = False
) -> list[str]:
    """The live partial of each post (``events.post_html``: the same for every reader, times
    in UTC), built by ``render`` once and then shared by every socket that replays the post
    (a catch-up after a reconnect), the API's answers and the events. A ``new`` post has
    nothing cached yet: it is rendered without asking, and stored once it has committed and
    the request's response has been sent."""
    return _cached(posts, render, "UTC", kind=":live", look=not new)


def _cached(
    posts: Sequence[Any], render: Callable[[Any], str], zone: str, *, kind: str, look: bool = True
) -> list[str]:
    language = translation.get_language() or ""
    generations: dict[str, Any] = {}
    if look:
        try:
            generations = django_cache.get_many([_generation_key(p.pk) for p in posts])
        except Exception:
            log.warning("post cache: unavailable, rendering the posts", exc_info=True)
            return [render(p) for p in posts]
    keys = [
        _fragment_key(p, generations.get(_generation_key(p.pk), "0"), zone, language, kind)
        for p in posts
    ]
    found: dict[str, Any] = {}
    if look:
        try:
            found = django_cache.get_many(keys)
        except Exception:
            log.warning("post cache: unavailable, rendering the posts", exc_info=True)
    out: list[str] = []
    made: dict[str, str] = {}
    for post, key in zip(posts, keys, strict=True):
        html = found.get(key)
        if html is None:
            html = made[key] = render(post)
        out.append(html)
    if made:
        if look:
            _store(made)
        else:
            # A new post's fragment is for later readers (catch-ups, the API's listings):
            # stored if its post commits, and the request that made it does not wait.
            on_commit_after_response(lambda: _store(made), what="storing a new post's fragment")
    return out


def _store(made: dict[str, str]) -> None:
    try:
        django_cache.set_many(made, FRAGMENT_TTL)
    except Exception:
        log.warning("post cache: could not store %d fragments", len(made), exc_info=True)


def personalise(html: str, viewer: Viewer, authors: dict[int, int | None]) -> str:
    """Keep the regions ``viewer`` sees in the fragments ``html`` (of the posts whose
    authors are ``authors``, by post id), fill in their actions and the CSRF token.

    Regions do not nest, so the fragments split into plain text and ``key-->body<close>``
    pieces with ``str.split``/``partition`` (much cheaper than a lazy regular expression
    over a page of posts)."""
    url_mark, label_mark = action_placeholders()
    close = close_mark()
    opening = open_mark("")[:-3]  # "<!--pc<nonce> "
    pieces = html.split(opening)
    out = [pieces[0]]
    for piece in pieces[1:]:
        key, _, rest = piece.partition("-->")
        body, _, after = rest.partition(close)
        out.append(_region(key, body, viewer, authors, url_mark, label_mark))
        out.append(after)
    return "".join(out).replace(csrf_placeholder(), viewer.csrf_token)


def _region(
    key: str,
    body: str,
    viewer: Viewer,
    authors: dict[int, int | None],
    url_mark: str,
    label_mark: str,
) -> str:
    """What region ``key`` (``"<name> <post id> ..."``) becomes for ``viewer``."""
    name, post_id, *more = key.split(" ")
    pk = int(post_id)
    if name == "chip":
        # chip <post> <kind> <member 0|1> <mine 0|1>: the viewer's form of the chip.
        kind, member, mine = more[0], more[1] == "1", more[2] == "1"
        keep = member == viewer.is_member and mine == (kind in viewer.mine.get(pk, ()))
        return body if keep else ""
    if name == "actions":
        return "".join(
            body.replace(url_mark, str(conditional_escape(action["url"]))).replace(
                label_mark, str(conditional_escape(action["label"]))
            )
            for action in viewer.actions.get(pk, ())
        )
    return body if shows(name, post_id=pk, author_id=authors.get(pk), viewer=viewer) else ""


def page_html(posts: Sequence[Any], viewer: Viewer) -> SafeString:
    """The posts of a thread page, as ``viewer`` sees them, built from cached fragments."""
    html = "".join(fragments(posts))
    authors = {p.pk: p.author_id for p in posts}
    return mark_safe(personalise(html, viewer, authors))  # noqa: S308 - template output
