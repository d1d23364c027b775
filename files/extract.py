"""Text of a stored document, for search: bounded in pages, characters, bytes and time."""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

from defusedxml import ElementTree

from core.errors import ServiceError

MAX_CHARS = 200_000
MAX_PAGES = 300
MAX_PART_BYTES = 20 * 1024 * 1024
MAX_SECONDS = 30.0


class ExtractionError(ServiceError):
    """The text could not be read within the limits (the file is then marked failed)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="invalid")


class _Budget:
    def __init__(self) -> None:
        self.deadline = time.monotonic() + MAX_SECONDS
        self.parts: list[str] = []
        self.chars = 0

    def add(self, text: str) -> bool:
        """Keep ``text``; False once the character cap is reached."""
        if time.monotonic() > self.deadline:
            raise ExtractionError("text extraction took too long")
        text = text[: MAX_CHARS - self.chars]
        self.parts.append(text)
        self.chars += len(text)
        return self.chars < MAX_CHARS

    def text(self) -> str:
        return "\n".join(p for p in self.parts if p).strip()


def _pdf(path: Path, budget: _Budget) -> None:
    from pypdf import PdfReader

    reader = PdfReader(path)
    for number, page in enumerate(reader.pages):
        if number >= MAX_PAGES or not budget.add(page.extract_text() or ""):
            return


def _xml_text(archive: zipfile.ZipFile, member: str) -> str:
    info = archive.getinfo(member)
    if info.file_size > MAX_PART_BYTES:
        raise ExtractionError(f"{member} is too large")
    root = ElementTree.fromstring(archive.read(info))
    return " ".join(t.strip() for t in root.itertext() if t.strip())


def _office(path: Path, budget: _Budget, prefix: str, suffix: str = ".xml") -> None:
    with zipfile.ZipFile(path) as archive:
        names = sorted(
            (n for n in archive.namelist() if n.startswith(prefix) and n.endswith(suffix)),
            key=lambda n: (len(n), n),  # slide2 before slide10
        )
        for number, member in enumerate(names):
            if number >= MAX_PAGES or not budget.add(_xml_text(archive, member)):
                return


def extract(path: Path, content_type: str) -> str:
    """The document's text, at most ``MAX_CHARS``; raises on anything unreadable."""
    budget = _Budget()
    kind = content_type.split(";")[0]
    if kind == "application/pdf":
        _pdf(path, budget)
    elif kind.endswith("wordprocessingml.document"):
        _office(path, budget, "word/document")
    elif kind.endswith("presentationml.presentation"):
        _office(path, budget, "ppt/slides/slide")
    elif kind.endswith("spreadsheetml.sheet"):
        _office(path, budget, "xl/sharedStrings")
    elif kind == "application/vnd.oasis.opendocument.text":
        _office(path, budget, "content.xml")
    elif kind.startswith("text/"):
        with path.open("rb") as data:
            raw = data.read(MAX_CHARS * 4)
        budget.add(raw.decode("utf-8-sig", "replace"))
    else:
        raise ExtractionError(f"no text in {kind}")
    return budget.text()
