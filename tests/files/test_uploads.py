"""Uploads: kind decided by content and allowed, size limited while streaming, images
re-encoded, nothing left behind on any refusal."""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from PIL import Image

from files.models import StoredFile
from files.services import FileError, file_store
from tests.files.conftest import (
    docx_bytes,
    image_bytes,
    odt_bytes,
    pdf_bytes,
    pptx_bytes,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db


def stored_files() -> list[str]:
    folder = Path(settings.MEDIA_ROOT) / "files"
    return sorted(os.listdir(folder)) if folder.exists() else []


ALLOWED = [
    ("report.pdf", pdf_bytes, "application/pdf"),
    ("notes.docx", docx_bytes, "wordprocessingml.document"),
    ("slides.pptx", pptx_bytes, "presentationml.presentation"),
    ("sheet.xlsx", xlsx_bytes, "spreadsheetml.sheet"),
    ("essay.odt", odt_bytes, "opendocument.text"),
    ("photo.png", lambda: image_bytes("PNG"), "image/png"),
    ("photo.jpg", lambda: image_bytes("JPEG"), "image/jpeg"),
    ("photo.webp", lambda: image_bytes("WEBP"), "image/webp"),
    ("photo.gif", lambda: image_bytes("GIF"), "image/gif"),
    ("notes.txt", lambda: "Plain words, café.\n".encode(), "text/plain"),
    ("notes.md", lambda: b"# A title\n\nSome *text*.\n", "text/markdown"),
    ("table.csv", lambda: b"name,score\nMei,3\n", "text/csv"),
]


@pytest.mark.parametrize(("name", "make", "content_type"), ALLOWED)
def test_each_allowed_kind_is_stored_by_a_random_name_with_its_hash(
    name: str, make: Callable[[], bytes], content_type: str, member: Any, upload: Any
) -> None:
    stored = file_store(upload(name, make()), by=member, purpose="test")
    assert content_type in stored.content_type
    assert stored.original_name == name and stored.uploaded_by == member
    data = stored.path.read_bytes()
    assert stored.size == len(data) and stored.sha256 == hashlib.sha256(data).hexdigest()
    assert name.rsplit(".", 1)[0] not in stored.storage_name
    assert stored_files() == [stored.storage_name]


REFUSED = [
    (
        "page.html",
        b"<!DOCTYPE html><html><script>alert(1)</script></html>",
        ".html are not accepted",
    ),
    ("page.txt", b"<html><body>hi</body></html>", "HTML"),
    ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', "not accepted"),
    ("logo.md", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "SVG"),
    ("bundle.zip", None, "not accepted"),
    ("bundle.docx", None, "Archives"),
    ("tool.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 60, "Programs"),
    ("setup.pdf", b"MZ\x90\x00" + b"\x00" * 60, "Programs"),
    ("run.pdf", b"#!/bin/sh\nrm -rf ~\n", "Scripts"),
    ("words.pdf", b"Just some words", "plain text, which does not match .pdf"),
    ("run.txt", b"#!/bin/sh\nrm -rf ~\n", "Scripts"),
    ("photo.pdf", None, "PNG, which does not match .pdf"),
    ("report.png", None, "PDF, which does not match .png"),
    ("data.tar.gz", b"\x1f\x8b\x08\x00" + b"\x00" * 20, "not accepted"),
    ("noext", b"hello", "not accepted"),
    ("latin1.txt", "caf\xe9 cr\xe8me".encode("latin-1"), "UTF-8"),
]


def _zip_of_text() -> bytes:
    out = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hi")
    return out.getvalue()


@pytest.mark.parametrize(("name", "data", "message"), REFUSED)
def test_each_refused_kind_says_what_is_allowed_and_leaves_nothing(
    name: str, data: bytes | None, message: str, member: Any, upload: Any
) -> None:
    if data is None:
        data = {"photo.pdf": image_bytes("PNG"), "report.png": pdf_bytes()}.get(
            name, _zip_of_text()
        )
    with pytest.raises(FileError) as refused:
        file_store(upload(name, data), by=member, purpose="test")
    assert refused.value.code == "unsupported_type"
    assert message in refused.value.message
    assert "Allowed: PDF, DOCX, PPTX, XLSX, ODT, PNG, JPEG, WebP, GIF, TXT, MD, CSV" in (
        refused.value.message
    )
    assert stored_files() == [] and not StoredFile.objects.exists()


class Streaming:
    """An upload that claims no size and fails the test if read past the limit."""

    name = "big.pdf"
    size = None

    def __init__(self) -> None:
        self.read = 0

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
        while True:
            if self.read > 2 * 1024 * 1024:
                raise AssertionError("read on past the limit")
            self.read += 64 * 1024
            yield b"%PDF-" + b"x" * (64 * 1024 - 5)


def test_an_oversize_upload_is_refused_while_streaming_and_leaves_nothing(member: Any) -> None:
    big = Streaming()
    with pytest.raises(FileError) as refused:
        file_store(big, by=member, purpose="test")  # type: ignore[arg-type]
    assert refused.value.code == "too_large" and "1 MB" in refused.value.message
    assert big.read <= 1024 * 1024 + 64 * 1024
    assert stored_files() == [] and not StoredFile.objects.exists()


def test_an_upload_declaring_an_oversize_is_refused_before_any_read(member: Any) -> None:
    class Declared(Streaming):
        size = 5 * 1024 * 1024

        def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
            raise AssertionError("read although its size was known to be too large")

    with pytest.raises(FileError, match="larger than 1 MB"):
        file_store(Declared(), by=member, purpose="test")  # type: ignore[arg-type]


def test_image_metadata_is_gone_after_the_re_encode(member: Any, upload: Any) -> None:
    original = image_bytes("JPEG", exif=True)
    assert Image.open(io.BytesIO(original)).getexif()  # the camera wrote it
    stored = file_store(upload("photo.jpg", original), by=member, purpose="test")
    with Image.open(stored.path) as clean:
        assert not clean.getexif() and "exif" not in clean.info
        assert clean.size == (8, 6)
    assert b"SpyCam" not in stored.path.read_bytes()


def test_a_decompression_bomb_is_refused_not_a_crash(
    member: Any, upload: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr("files.services.IMAGE_MAX_PIXELS", 1000)
    bomb = image_bytes("PNG", size=(3000, 3000))  # small on disk, 9 million pixels
    with pytest.raises(FileError) as refused:
        file_store(upload("bomb.png", bomb), by=member, purpose="test")
    assert refused.value.code == "too_large" and "pixels" in refused.value.message
    assert stored_files() == [] and not StoredFile.objects.exists()


def test_a_damaged_image_is_refused_as_invalid(member: Any, upload: Any) -> None:
    with pytest.raises(FileError) as refused:
        file_store(upload("cut.png", image_bytes("PNG")[:40]), by=member, purpose="test")
    assert refused.value.code == "invalid"
    assert stored_files() == []


def test_the_original_name_is_kept_without_folders_or_control_characters(
    member: Any, upload: Any
) -> None:
    stored = file_store(
        upload("../../etc/pass\x00wd\u202e.txt", b"hello"), by=member, purpose="test"
    )
    assert stored.original_name == "passwd.txt"
