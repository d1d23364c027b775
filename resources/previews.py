"""Previews of file resources: a small thumbnail for images (made once with Pillow and kept
on disk beside the stored file), a type icon for everything else."""

from __future__ import annotations

import logging
from pathlib import Path

from django.db import models

from files.models import StoredFile

log = logging.getLogger(__name__)

THUMB_SIZE = (480, 360)
THUMB_TYPES = {"image/png", "image/jpeg", "image/webp", "image/gif"}

_ICONS = {
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "document",
    "application/msword": "document",
    "application/vnd.oasis.opendocument.text": "document",
    "application/rtf": "document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "spreadsheet",
    "application/vnd.oasis.opendocument.spreadsheet": "spreadsheet",
    "text/csv": "spreadsheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "slides",
    "application/vnd.oasis.opendocument.presentation": "slides",
}

_LABELS = {
    "pdf": "PDF document",
    "document": "Text document",
    "spreadsheet": "Spreadsheet",
    "slides": "Slides",
    "image": "Image",
    "text": "Plain text",
    "file": "File",
}


def icon_for(content_type: str) -> str:
    """The name of the icon partial that stands for a file type."""
    if content_type in _ICONS:
        return _ICONS[content_type]
    if content_type.startswith("image/"):
        return "image"
    if content_type.startswith("text/"):
        return "text"
    return "file"


def type_label(content_type: str) -> str:
    return _LABELS[icon_for(content_type)]


def has_thumbnail(stored: StoredFile | models.Model) -> bool:
    return getattr(stored, "content_type", "") in THUMB_TYPES


def thumbnail_path(stored: StoredFile) -> Path:
    path: Path = stored.path
    return path.with_name(f"{path.name}.thumb.png")


def thumbnail(stored: StoredFile) -> Path | None:
    """The thumbnail of an image file, made on first request and reused after; None when
    the file is not an image or cannot be read."""
    if not has_thumbnail(stored):
        return None
    target = thumbnail_path(stored)
    if target.exists():
        return target
    from PIL import Image, UnidentifiedImageError
    from PIL.Image import DecompressionBombError

    try:
        with Image.open(stored.path) as image:
            image.seek(0)
            small = image.convert("RGBA") if image.mode not in ("RGB", "RGBA") else image.copy()
            small.thumbnail(THUMB_SIZE)
            part = target.with_name(target.name + ".part")
            small.save(part, format="PNG", optimize=True)
            part.replace(target)
    except (OSError, UnidentifiedImageError, ValueError, DecompressionBombError) as error:
        log.warning("no thumbnail for %s: %s", stored.pk, error)
        return None
    return target


def thumbnail_delete(stored: StoredFile) -> None:
    thumbnail_path(stored).unlink(missing_ok=True)
