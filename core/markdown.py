"""Markdown to safe HTML: CommonMark through markdown-it-py, then nh3 sanitising.

markdown-it runs with raw HTML disabled, and nh3 then enforces an allow-list of tags and
attributes and of URL schemes, so scripts, event handlers, ``javascript:``/``data:`` links,
SVG and iframes can never reach a page.
"""

from __future__ import annotations

import re
from functools import lru_cache

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4",
    "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "s", "strong", "sub",
    "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
    "code": {"class"},
}
URL_SCHEMES = {"http", "https", "mailto"}


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(
        ["table", "strikethrough"]
    )


def sanitize_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer ugc",
        strip_comments=True,
    )


# User headings sit inside a page that has its own h1 and h2: "# Title" becomes an h3.
_HEADING_RE = re.compile(r"<(/?)h([1-6])>")


def _demote_headings(html: str) -> str:
    return _HEADING_RE.sub(lambda m: f"<{m.group(1)}h{min(6, int(m.group(2)) + 2)}>", html)


def render_markdown(text: str) -> SafeString:
    """Render user Markdown to HTML that is safe to put in a page as it is."""
    html = _parser().render(text or "")
    return mark_safe(_demote_headings(sanitize_html(html)))  # noqa: S308 - sanitised by nh3
