"""Template filters of the resource cards: a short plain-text excerpt of the description
and the type of a file (for its icon), so every page that includes
``resources/_card.html`` shows the same card without preparing anything."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.text import Truncator

from core.markdown import plain_text

register = template.Library()

EXCERPT_CHARS = 220

# content type (without parameters) -> (icon class, label)
FILE_TYPES: dict[str, tuple[str, str]] = {
    "application/pdf": ("pdf", "PDF"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (
        "doc",
        "Word document",
    ),
    "application/vnd.oasis.opendocument.text": ("doc", "OpenDocument text"),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": (
        "slides",
        "PowerPoint slides",
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (
        "sheet",
        "Excel spreadsheet",
    ),
    "image/png": ("image", "PNG image"),
    "image/jpeg": ("image", "JPEG image"),
    "image/webp": ("image", "WebP image"),
    "image/gif": ("image", "GIF image"),
    "text/plain": ("text", "Plain text"),
    "text/markdown": ("text", "Markdown text"),
    "text/csv": ("sheet", "CSV table"),
}
ICON_TEXT = {
    "pdf": "PDF",
    "doc": "DOC",
    "slides": "PPT",
    "sheet": "XLS",
    "image": "IMG",
    "text": "TXT",
    "file": "FILE",
    "link": "WWW",
    "note": "NOTE",
}


@register.filter
def excerpt(resource: Any) -> str:
    """The description as plain text, cut at about 220 characters on a word."""
    text = plain_text(getattr(resource, "description_html", "") or "")
    if not text:
        text = getattr(resource, "description", "") or ""
    return Truncator(" ".join(text.split())).chars(EXCERPT_CHARS)


@register.simple_tag
def resource_type(resource: Any) -> dict[str, str]:
    """``{"icon", "label", "short"}`` for the card's type icon: by file content type for
    files, by kind for links and notes."""
    kind = getattr(resource, "kind", "")
    if kind == "file":
        version = getattr(resource, "current_version", None)
        stored = getattr(version, "file", None) if version is not None else None
        content_type = (getattr(stored, "content_type", "") or "").split(";")[0].strip()
        icon, label = FILE_TYPES.get(content_type, ("file", "File"))
    elif kind == "note":
        icon, label = "note", "Note"
    else:
        icon, label = "link", "Web link"
    return {"icon": icon, "label": label, "short": ICON_TEXT[icon]}
