"""Store an upload safely (``file_store``) and decide who may download it (the registry).

Every refusal is a :class:`FileError` (a ``core.errors.ServiceError``) with code
``too_large``, ``unsupported_type`` or ``invalid``, and leaves nothing behind: no file on
disk, no row in the database.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
import secrets
import socket
import struct
import unicodedata
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction
from PIL import Image, ImageOps

from core.errors import ServiceError
from files.models import StoredFile

logger = logging.getLogger(__name__)


class FileError(ServiceError):
    """An upload the rules refuse."""


@dataclass(frozen=True)
class Kind:
    label: str
    content_type: str
    extensions: tuple[str, ...]
    image_format: str = ""  # Pillow's format name: the file is re-encoded
    extractable: bool = True


KINDS: dict[str, Kind] = {
    "pdf": Kind("PDF", "application/pdf", (".pdf",)),
    "docx": Kind(
        "DOCX",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (".docx",),
    ),
    "pptx": Kind(
        "PPTX",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        (".pptx",),
    ),
    "xlsx": Kind(
        "XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)
    ),
    "odt": Kind("ODT", "application/vnd.oasis.opendocument.text", (".odt",)),
    "png": Kind("PNG", "image/png", (".png",), "PNG", extractable=False),
    "jpeg": Kind("JPEG", "image/jpeg", (".jpg", ".jpeg"), "JPEG", extractable=False),
    "webp": Kind("WebP", "image/webp", (".webp",), "WEBP", extractable=False),
    "gif": Kind("GIF", "image/gif", (".gif",), "GIF", extractable=False),
    "txt": Kind("TXT", "text/plain; charset=utf-8", (".txt",)),
    "md": Kind("MD", "text/markdown; charset=utf-8", (".md",)),
    "csv": Kind("CSV", "text/csv; charset=utf-8", (".csv",)),
}
EXTENSIONS = {ext: name for name, kind in KINDS.items() for ext in kind.extensions}
ALLOWED = ", ".join(kind.label for kind in KINDS.values())
INLINE_TYPES = {"application/pdf", "image/png", "image/jpeg", "image/webp", "image/gif"}

# Office files are zips: what a zip may hold before it is refused unread.
ZIP_MAX_ENTRIES = 5000
ZIP_MAX_RATIO = 200
OOXML_MAIN = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
}
IMAGE_MAX_PIXELS = 40_000_000
CHUNK = 64 * 1024


class Upload(Protocol):
    name: str | None
    size: int | None

    def chunks(self, chunk_size: int | None = ...) -> Any: ...


def storage_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "files"


def max_bytes() -> int:
    return int(settings.MAX_UPLOAD_MB) * 1024 * 1024


def unsupported(what: str) -> FileError:
    return FileError(f"{what} Allowed: {ALLOWED}.", code="unsupported_type")


def clean_name(name: str) -> str:
    """The person's file name without folders, control characters or odd forms."""
    name = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip(" .")
    stem, dot, ext = name.rpartition(".")
    if dot and len(name) > 150:
        name = f"{stem[: 150 - len(ext) - 1]}.{ext}"
    return name[:150] or "file"


# --- what the bytes are ---------------------------------------------------------------------


def _zip_kind(path: Path) -> str:
    """docx/pptx/xlsx/odt by their own declaration inside the zip; anything else refused."""
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            if len(entries) > ZIP_MAX_ENTRIES:
                raise FileError("This document holds too many parts.", code="invalid")
            packed = max(path.stat().st_size, 1)
            if sum(e.file_size for e in entries) > max(max_bytes(), packed * ZIP_MAX_RATIO):
                raise FileError("This document unpacks to too much data.", code="invalid")
            names = {e.filename: e for e in entries}
            mimetype = names.get("mimetype")
            if (
                mimetype is not None
                and mimetype.file_size < 200
                and archive.read(mimetype).strip() == b"application/vnd.oasis.opendocument.text"
            ):
                return "odt"
            types = names.get("[Content_Types].xml")
            if types is not None and types.file_size < 1024 * 1024:
                declared = archive.read(types).decode("utf-8", "replace")
                for kind, main in OOXML_MAIN.items():
                    if main in declared:
                        return kind
    except zipfile.BadZipFile:
        raise FileError("This file is damaged and cannot be read.", code="invalid") from None
    raise unsupported("Archives (zip and others) are not accepted.")


def _text_kind(head: bytes) -> str:
    if b"\x00" in head:
        raise unsupported("This file is not plain text.")
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut by the sample's end
            raise unsupported("Text files must be UTF-8 plain text.") from None
        text = head[: exc.start].decode("utf-8-sig", "ignore")
    start = text.lstrip().lower()
    if start.startswith(("<!doctype", "<html", "<svg", "<?xml", "<script")):
        raise unsupported("HTML, SVG and XML files are not accepted.")
    if start.startswith("#!"):
        raise unsupported("Scripts are not accepted.")
    return "text"


def sniff(path: Path, head: bytes) -> str:
    """The kind the content says, or a refusal that names what is allowed."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(path)
    if head.startswith((b"\x7fELF", b"MZ", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe")):
        raise unsupported("Programs are not accepted.")
    if head.startswith((b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!", b"BZh", b"\xfd7zXZ")):
        raise unsupported("Archives (zip and others) are not accepted.")
    return _text_kind(head)


# --- images ---------------------------------------------------------------------------------


def _reencode(path: Path, kind: str) -> None:
    """Decode and write the image again: metadata (EXIF, GPS, comments) and anything
    hidden after the picture are gone; too many pixels is refused before decoding."""
    Image.MAX_IMAGE_PIXELS = IMAGE_MAX_PIXELS
    fmt = KINDS[kind].image_format
    out = io.BytesIO()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path, formats=[fmt]) as image:
                frames = getattr(image, "n_frames", 1)
                if frames > 1 and fmt in {"GIF", "WEBP"}:
                    image.save(out, format=fmt, save_all=True, optimize=False)
                else:
                    clean = ImageOps.exif_transpose(image)
                    if fmt == "JPEG" and clean.mode not in {"RGB", "L", "CMYK"}:
                        clean = clean.convert("RGB")
                    clean.info = {}
                    clean.save(out, format=fmt, **({"quality": 90} if fmt == "JPEG" else {}))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise FileError(
            f"This image is too large (at most {IMAGE_MAX_PIXELS // 1_000_000} million pixels).",
            code="too_large",
        ) from None
    except (OSError, ValueError, SyntaxError, EOFError):
        raise FileError("This image is damaged and cannot be read.", code="invalid") from None
    path.write_bytes(out.getvalue())


# --- virus scanning -------------------------------------------------------------------------


def clamd_scan(path: Path, socket_path: str, timeout: float = 30.0) -> str | None:
    """The virus found by clamd (INSTREAM over its unix socket), or None for a clean file.
    Raises OSError when the daemon cannot be reached."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(timeout)
        conn.connect(socket_path)
        conn.sendall(b"zINSTREAM\0")
        with path.open("rb") as data:
            while chunk := data.read(CHUNK):
                conn.sendall(struct.pack("!L", len(chunk)) + chunk)
        conn.sendall(struct.pack("!L", 0))
        reply = b""
        while not reply.endswith(b"\0") and (part := conn.recv(4096)):
            reply += part
    answer = reply.rstrip(b"\0").decode("utf-8", "replace")
    if answer.endswith("FOUND"):
        return answer.removeprefix("stream:").removesuffix("FOUND").strip()
    if not answer.endswith("OK"):
        raise OSError(f"clamd answered {answer!r}")
    return None


def _scan(path: Path) -> None:
    socket_path = settings.CLAMD_SOCKET
    if not socket_path:
        return
    try:
        found = clamd_scan(path, socket_path)
    except OSError as exc:
        logger.warning("virus scan skipped: clamd at %s unreachable (%s)", socket_path, exc)
        return
    if found:
        logger.warning("upload refused by the virus scanner: %s", found)
        raise FileError("This file was refused by the virus scanner.", code="invalid")


# --- the service ----------------------------------------------------------------------------


def _write(upload: Upload, part: Path, limit: int) -> tuple[int, str]:
    digest = hashlib.sha256()
    written = 0
    with part.open("xb") as out:
        for chunk in upload.chunks(CHUNK):
            written += len(chunk)
            if written > limit:
                raise FileError(
                    f"This file is larger than {settings.MAX_UPLOAD_MB} MB.", code="too_large"
                )
            digest.update(chunk)
            out.write(chunk)
    return written, digest.hexdigest()


def file_store(upload: Upload, *, by: Any, purpose: str) -> StoredFile:
    """Keep ``upload`` if it is an allowed kind whose content agrees with its extension,
    no larger than ``MAX_UPLOAD_MB`` (checked while it streams), and clean (ClamAV, when
    ``CLAMD_SOCKET`` is set). Images are re-encoded; text is extracted in the background."""
    limit = max_bytes()
    if upload.size is not None and upload.size > limit:
        raise FileError(f"This file is larger than {settings.MAX_UPLOAD_MB} MB.", code="too_large")
    name = clean_name(upload.name or "")
    ext = os.path.splitext(name)[1].lower()
    if ext not in EXTENSIONS:
        raise unsupported(f"Files ending {ext or 'in no extension'} are not accepted.")
    directory = storage_dir()
    directory.mkdir(parents=True, exist_ok=True)
    storage_name = f"{secrets.token_hex(16)}{ext}"
    part = directory / f"{storage_name}.part"
    final = directory / storage_name
    try:
        size, sha256 = _write(upload, part, limit)
        with part.open("rb") as data:
            head = data.read(8192)
        found = sniff(part, head)
        expected = EXTENSIONS[ext]
        if found == "text" and expected in {"txt", "md", "csv"}:
            found = expected
        if found != expected:
            what = KINDS[found].label if found in KINDS else "plain text"
            raise unsupported(f"This file's content is {what}, which does not match {ext}.")
        kind = KINDS[found]
        if kind.image_format:
            _reencode(part, found)
            data_bytes = part.read_bytes()
            size, sha256 = len(data_bytes), hashlib.sha256(data_bytes).hexdigest()
        _scan(part)
        part.rename(final)
        with transaction.atomic():
            stored = StoredFile.objects.create(
                purpose=purpose,
                storage_name=storage_name,
                original_name=name,
                size=size,
                content_type=kind.content_type,
                sha256=sha256,
                uploaded_by=by if getattr(by, "pk", None) else None,
                extraction=StoredFile.Extraction.PENDING
                if kind.extractable
                else StoredFile.Extraction.NONE,
            )
            if kind.extractable:
                from files.tasks import extract_text

                transaction.on_commit(partial(extract_text.enqueue, str(stored.pk)), robust=True)
    except BaseException:
        for leftover in (part, final):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
        raise
    return stored


def file_delete(stored: StoredFile) -> None:
    """Remove the row and its bytes (after the commit)."""
    path = stored.path
    stored.delete()
    transaction.on_commit(lambda: path.unlink(missing_ok=True))


# --- who may download -----------------------------------------------------------------------

DownloadCheck = Callable[[Any, StoredFile], bool]
_download_checks: dict[str, DownloadCheck] = {}


def register_download_check(purpose: str, check: DownloadCheck) -> None:
    """The owning app's rule for who may download its files (call in AppConfig.ready)."""
    _download_checks[purpose] = check


def may_download(user: Any, stored: StoredFile) -> bool:
    """Nobody, unless the app that owns ``stored.purpose`` registered a check that says so."""
    check = _download_checks.get(stored.purpose)
    return bool(check and check(user, stored))


# --- after extraction -----------------------------------------------------------------------
# The owning app learns when a file's text is ready (e.g. to put it into its search index).

ExtractionListener = Callable[[StoredFile], None]
_extraction_listeners: dict[str, ExtractionListener] = {}


def register_extraction_listener(purpose: str, listener: ExtractionListener) -> None:
    """Call ``listener(stored)`` after the text of a file of ``purpose`` was extracted (or
    failed to be); call in AppConfig.ready."""
    _extraction_listeners[purpose] = listener


def extraction_finished(stored: StoredFile) -> None:
    listener = _extraction_listeners.get(stored.purpose)
    if listener is not None:
        listener(stored)
