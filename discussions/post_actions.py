"""A seam for actions other apps offer on a post ("Use as evidence" from the journals):
a higher app registers a function in its ``AppConfig.ready``; the post partial
(templates/discussions/_post.html) shows what they return, after the post's own actions.
Discussions never imports the apps that register.

``fn(user, post)`` returns ``{"label", "url"}`` or None, and must not touch the database
(it runs once per post on a thread page, so a query would multiply): decide from what is
on ``user`` and ``post`` (``post.author_id``, ``post.is_visible``...).

The live partial is rendered once for everyone, so it cannot know its viewer: there the
actions are the ones the post's *author* would get, marked ``data-for="author"`` so that
thread.js keeps them for the author only. An action meant for readers other than the author
therefore appears on posts that arrive live only once the page is reloaded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypedDict

from core.registry import Registry


class PostAction(TypedDict):
    label: str
    url: str


PostActionProvider = Callable[[Any, Any], "PostAction | None"]

_actions: Registry[PostActionProvider] = Registry("post action")


def register_post_action(name: str, fn: PostActionProvider) -> PostActionProvider:
    """Add ``fn(user, post) -> {"label", "url"} | None`` (no database queries)."""
    return _actions.register(name, fn)


def unregister_post_action(name: str) -> None:
    _actions.unregister(name)


def actions_for(user: Any, post: Any) -> list[PostAction]:
    """What the registered apps offer ``user`` on ``post``, in registration order."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    out: list[PostAction] = []
    for fn in _actions:
        action = fn(user, post)
        if action:
            out.append(action)
    return out
