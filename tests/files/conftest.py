"""Real small files of every kind the upload module meets, made in the test."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MAX_UPLOAD_MB = 1
    settings.CLAMD_SOCKET = ""


def pdf_bytes(text: str = "Hello from a PDF") -> bytes:
    writer = PdfWriter()
    page = writer.add_blank_page(width=300, height=200)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
    )
    stream = DecodedStreamObject()
    stream.set_data(f"BT /F1 12 Tf 20 100 Td ({text}) Tj ET".encode())
    page[NameObject("/Contents")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _zip(parts: dict[str, str], *, stored_first: str | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        if stored_first:
            archive.writestr(stored_first, parts.pop(stored_first), zipfile.ZIP_STORED)
        for name, text in parts.items():
            archive.writestr(name, text)
    return out.getvalue()


def _types(main: str) -> str:
    return (
        '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        f'content-types"><Override PartName="/main.xml" ContentType="{main}"/></Types>'
    )


OOXML = "application/vnd.openxmlformats-officedocument."


def docx_bytes(text: str = "Hello from a DOCX") -> bytes:
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    return _zip(
        {
            "[Content_Types].xml": _types(OOXML + "wordprocessingml.document.main+xml"),
            "word/document.xml": f'<w:document xmlns:w="{w}"><w:body><w:p><w:r>'
            f"<w:t>{text}</w:t></w:r></w:p></w:body></w:document>",
        }
    )


def pptx_bytes(text: str = "Hello from a PPTX") -> bytes:
    a = "http://schemas.openxmlformats.org/drawingml/2006/main"
    return _zip(
        {
            "[Content_Types].xml": _types(OOXML + "presentationml.presentation.main+xml"),
            "ppt/slides/slide1.xml": f'<p:sld xmlns:p="urn:p" xmlns:a="{a}"><a:t>{text}</a:t>'
            "</p:sld>",
        }
    )


def xlsx_bytes(text: str = "Hello from an XLSX") -> bytes:
    return _zip(
        {
            "[Content_Types].xml": _types(OOXML + "spreadsheetml.sheet.main+xml"),
            "xl/sharedStrings.xml": f'<sst xmlns="urn:s"><si><t>{text}</t></si></sst>',
        }
    )


def odt_bytes(text: str = "Hello from an ODT") -> bytes:
    return _zip(
        {
            "mimetype": "application/vnd.oasis.opendocument.text",
            "content.xml": f'<office:document-content xmlns:office="urn:o"><t>{text}</t>'
            "</office:document-content>",
        },
        stored_first="mimetype",
    )


def image_bytes(fmt: str, *, exif: bool = False, size: tuple[int, int] = (8, 6)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    extra: dict[str, Any] = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "SpyCam"  # Make
        data[0x8825] = {2: (51.0, 30.0, 0.0)}  # GPS latitude
        extra["exif"] = data.tobytes()
    image.save(out, format=fmt, **extra)
    return out.getvalue()


@pytest.fixture
def upload() -> Callable[[str, bytes], SimpleUploadedFile]:
    return lambda name, data: SimpleUploadedFile(name, data)
