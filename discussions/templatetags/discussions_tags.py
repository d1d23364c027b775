"""``{% discussions_unread cohort as n %}``: threads with unread posts, for pages outside
this app (the cohort home) whose views do not know about discussions."""

from __future__ import annotations

from typing import Any

from django import template

from discussions import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def discussions_unread(context: dict[str, Any], cohort: Any) -> int:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    return selectors.unread_by_cohort(user, cohort)


@register.simple_tag(takes_context=True)
def post_actions(context: Any, post: Any) -> list[Any]:
    """``{% post_actions post as actions %}``: what other apps offer on ``post``
    (discussions/post_actions.py). In the live partial, the ones its author would get."""
    from discussions.post_actions import actions_for

    if context.get("live"):
        return actions_for(post.author, post)
    request = context.get("request")
    return actions_for(getattr(request, "user", None) or context.get("user"), post)
