"""``{% discussions_unread cohort as n %}``: threads with unread posts, for pages outside
this app (the cohort home) whose views do not know about discussions. The other tags serve
the post partial (templates/discussions/_post.html) and its cache (discussions/post_cache.py):
what depends on the viewer is decided in one place, :func:`discussions.post_cache.shows`."""

from __future__ import annotations

import dataclasses
from typing import Any

from django import template
from django.template.base import Parser, Token
from django.utils.safestring import SafeString, mark_safe

from discussions import post_cache, selectors

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
    (discussions/post_actions.py). In the live partial, the ones its author would get; in a
    cached fragment, one sample that the cache fills in with each of the viewer's."""
    from discussions.post_actions import actions_for

    if context.get("fragment"):
        url, label = post_cache.action_placeholders()
        return [{"url": url, "label": label}]
    if context.get("live"):
        return actions_for(post.author, post)
    request = context.get("request")
    return actions_for(getattr(request, "user", None) or context.get("user"), post)


def _viewer_of(context: Any, post: Any) -> post_cache.Viewer:
    """The page's viewer, as the plain (uncached) partial sees it in its context."""
    user = context.get("user")
    return post_cache.Viewer(
        user_id=getattr(user, "pk", None),
        is_member=bool(context.get("is_member")),
        can_post=bool(context.get("can_post")),
        moderator=bool(context.get("moderator")),
        first_unread=context.get("first_unread"),
        can_edit={post.pk: bool(getattr(post, "can_edit", False))},
        can_restore={post.pk: bool(getattr(post, "can_restore", False))},
    )


class ViewerNode(template.Node):
    def __init__(self, name: str, nodelist: template.NodeList) -> None:
        self.name = name
        self.nodelist = nodelist

    def render(self, context: Any) -> SafeString | str:
        post = context["post"]
        if context.get("fragment"):
            body = self.nodelist.render(context)
            mark = post_cache.open_mark(f"{self.name} {post.pk}")
            return mark_safe(f"{mark}{body}{post_cache.close_mark()}")  # noqa: S308
        if context.get("live"):
            keep = post_cache.shows_live(self.name)
        else:
            viewer = _viewer_of(context, post)
            keep = post_cache.shows(
                self.name, post_id=post.pk, author_id=post.author_id, viewer=viewer
            )
        return self.nodelist.render(context) if keep else ""


@register.tag("viewer")
def viewer_region(parser: Parser, token: Token) -> ViewerNode:
    """``{% viewer "name" %}…{% endviewer %}``: a part of a post shown only to some viewers
    (``post_cache.shows`` says which). In a cached fragment it is kept with markers around
    it, and the cache keeps or drops it per viewer."""
    bits = token.split_contents()
    if len(bits) != 2 or bits[1].strip("\"'") not in post_cache.REGIONS:
        raise template.TemplateSyntaxError(f"viewer takes one of {post_cache.REGIONS}")
    nodelist = parser.parse(("endviewer",))
    parser.delete_first_token()
    return ViewerNode(bits[1].strip("\"'"), nodelist)


class ReactionVariantsNode(template.Node):
    def __init__(self, nodelist: template.NodeList) -> None:
        self.nodelist = nodelist

    def render(self, context: Any) -> SafeString | str:
        if not context.get("fragment"):
            return self.nodelist.render(context)
        post, chip = context["post"], context["r"]
        out = []
        for member in (True, False):
            for mine in (True, False):
                with context.push(is_member=member, r=dataclasses.replace(chip, mine=mine)):
                    body = self.nodelist.render(context)
                key = f"chip {post.pk} {chip.kind} {int(member)} {int(mine)}"
                out.append(f"{post_cache.open_mark(key)}{body}{post_cache.close_mark()}")
        return mark_safe("".join(out))  # noqa: S308 - rendered template parts


@register.tag("reaction_variants")
def reaction_variants(parser: Parser, token: Token) -> ReactionVariantsNode:
    """``{% reaction_variants %}…{% endreaction_variants %}`` around one reaction chip
    (``r``): in a cached fragment, the chip as a member and as a reader sees it, theirs or
    not, for the cache to keep the viewer's one; otherwise just the chip."""
    nodelist = parser.parse(("endreaction_variants",))
    parser.delete_first_token()
    return ReactionVariantsNode(nodelist)
