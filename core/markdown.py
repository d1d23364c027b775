"""Markdown to safe HTML: CommonMark through markdown-it-py, then nh3 sanitising.

markdown-it runs with raw HTML disabled, and nh3 then enforces an allow-list of tags and
attributes and of URL schemes, so scripts, event handlers, ``javascript:``/``data:`` links,
SVG and iframes can never reach a page.

Images are limited to the platform's own uploads (paths under ``MEDIA_URL``): a page of the
site as an image would be fetched by every viewer's browser, a request made on their
behalf, and an outside image is blocked by the CSP (``img-src 'self' data:``) and tells a
third party who read the post. Any other image is shown as its alt text; an outside https
image becomes a plain link to it, so nothing appears broken.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from urllib.parse import unquote, urlsplit

import nh3
from django.conf import settings
from django.http.request import validate_host
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

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


# Characters an image address of ours never needs, and that browsers treat as separators
# or strip ("\\" is a "/" to them; markdown-it writes it as %5C).
_ODD_IN_URL_RE = re.compile(r"[\\\s\x00-\x1f\x7f]|%5c|%2f", re.IGNORECASE)


def is_upload_url(src: str) -> bool:
    """Whether ``src`` is a file under ``MEDIA_URL`` and nothing else: no other path of the
    site reached through ``..`` (plain or percent-encoded), no other host through ``//``."""
    media = settings.MEDIA_URL
    if not media or not src.startswith(media) or _ODD_IN_URL_RE.search(src):
        return False
    if media.startswith("//") or not (media.startswith("/") or media.startswith("https://")):
        return False
    path = urlsplit(src).path
    return all(unquote(part) not in {".", ".."} for part in path.split("/"))


def _is_own_host(host: str) -> bool:
    host = host.lower().rstrip(".")
    if ":" in host:
        host = f"[{host}]"
    site = (urlsplit(settings.SITE_URL).hostname or "").lower()
    return host == site or validate_host(host, settings.ALLOWED_HOSTS)


def is_outside_https_url(src: str) -> bool:
    """An https address on another host (none of the site's own names), plainly written."""
    if _ODD_IN_URL_RE.search(src):
        return False
    try:
        parts = urlsplit(src)
        host = parts.hostname
    except ValueError:
        return False
    return (
        parts.scheme.lower() == "https"
        and src[: len("https://")].lower() == "https://"
        and bool(host)
        and "@" not in parts.netloc
        and not _is_own_host(host or "")
    )


def _render_image(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    if is_upload_url(src):
        return self.image(tokens, idx, options, env)
    alt = self.renderInlineAsText(token.children or [], options, env)
    if not env.get(_IN_LINK) and is_outside_https_url(src):
        return f'<a href="{escapeHtml(src)}">{escapeHtml(alt or src)}</a>'
    return escapeHtml(alt)


# How many links the renderer is inside (an image there must not become a nested link).
_IN_LINK = "commonplace_in_link"


def _render_link_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    env[_IN_LINK] = env.get(_IN_LINK, 0) + 1
    return self.renderToken(tokens, idx, options, env)


def _render_link_close(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    env[_IN_LINK] = max(0, env.get(_IN_LINK, 0) - 1)
    return self.renderToken(tokens, idx, options, env)


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(
        ["table", "strikethrough"]
    )
    parser.add_render_rule("image", _render_image)
    parser.add_render_rule("link_open", _render_link_open)
    parser.add_render_rule("link_close", _render_link_close)
    return parser


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Whatever HTML reaches the sanitiser, an image shows only an upload of ours."""
    if tag == "img" and attribute == "src" and not is_upload_url(value):
        return None
    return value


def sanitize_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_keep_attribute,
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


# A tag of the renderer's output, quoted attribute values read whole (a title may hold ">").
# PostgreSQL's generated search column strips tags with the same pattern (discussions 0005).
TAG_PATTERN = r"""<(?:"[^"]*"|'[^']*'|[^>"'])*>"""
_TAG_RE = re.compile(TAG_PATTERN)


def plain_text(html: str) -> str:
    """The words of rendered post HTML as a person reads them: tags gone (block ends become
    spaces), entities decoded, whitespace collapsed. For search snippets and the index."""
    from html import unescape

    return " ".join(unescape(_TAG_RE.sub(" ", html or "")).split())
