"""Downloads ask the owning app; text extraction runs in the task worker; ClamAV."""

from __future__ import annotations

import os
import socket
import struct
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from files.models import StoredFile
from files.services import FileError, _download_checks, file_store, register_download_check
from tests.files.conftest import (
    docx_bytes,
    image_bytes,
    odt_bytes,
    pdf_bytes,
    pptx_bytes,
    xlsx_bytes,
)


@pytest.fixture
def checks() -> Any:
    saved = dict(_download_checks)
    yield _download_checks
    _download_checks.clear()
    _download_checks.update(saved)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("registered", "allowed", "status"),
    [(True, True, 200), (True, False, 404), (False, None, 404)],
)
def test_a_download_answers_only_whom_the_owning_app_allows(
    registered: bool, allowed: bool | None, status: int, member: Any, upload: Any, checks: Any
) -> None:
    stored = file_store(upload("notes.txt", b"hello"), by=member, purpose="evidence")
    if registered:
        register_download_check("evidence", lambda user, f: bool(allowed) and user == member)
    response = _client(member).get(f"/files/{stored.pk}/")
    assert response.status_code == status
    assert _client(member).get("/files/00000000-0000-0000-0000-000000000000/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "make", "disposition"),
    [
        ("Café report.pdf", pdf_bytes, "inline"),
        ("photo.png", lambda: image_bytes("PNG"), "inline"),
        ("notes.docx", docx_bytes, "attachment"),
        ("notes.txt", lambda: b"words <b>not markup</b>", "attachment"),
    ],
)
def test_a_download_is_sandboxed_and_inline_only_for_images_and_pdf(
    name: str, make: Callable[[], bytes], disposition: str, member: Any, upload: Any, checks: Any
) -> None:
    stored = file_store(upload(name, make()), by=member, purpose="evidence")
    register_download_check("evidence", lambda user, f: True)
    response = _client(member).get(f"/files/{stored.pk}/")
    assert response.status_code == 200
    header = response["Content-Disposition"]
    assert header.startswith(disposition)
    if name.startswith("Café"):
        assert "filename*=utf-8''Caf%C3%A9%20report.pdf" in header
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Content-Type"] == stored.content_type
    assert b"".join(response.streaming_content) == stored.path.read_bytes()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("name", "make", "words"),
    [
        ("a.pdf", pdf_bytes, "Hello from a PDF"),
        ("a.docx", docx_bytes, "Hello from a DOCX"),
        ("a.pptx", pptx_bytes, "Hello from a PPTX"),
        ("a.xlsx", xlsx_bytes, "Hello from an XLSX"),
        ("a.odt", odt_bytes, "Hello from an ODT"),
        ("a.md", lambda: b"# Hello from Markdown", "Hello from Markdown"),
    ],
)
def test_text_is_extracted_for_search_by_the_task_worker(
    name: str,
    make: Callable[[], bytes],
    words: str,
    member: Any,
    upload: Any,
    task_worker: Callable[[], None],
) -> None:
    stored = file_store(upload(name, make()), by=member, purpose="evidence")
    stored.refresh_from_db()
    assert stored.extraction == StoredFile.Extraction.PENDING and stored.text == ""

    task_worker()

    stored.refresh_from_db()
    assert stored.extraction == StoredFile.Extraction.DONE
    assert words in stored.text


@pytest.mark.django_db(transaction=True)
def test_a_document_the_parser_cannot_read_is_marked_failed_and_logged(
    member: Any, upload: Any, task_worker: Callable[[], None], caplog: Any
) -> None:
    broken = pdf_bytes()[:60]  # the header, then nothing a PDF reader can use
    stored = file_store(upload("cut.pdf", broken), by=member, purpose="evidence")
    task_worker()
    stored.refresh_from_db()
    assert stored.extraction == StoredFile.Extraction.FAILED and stored.text == ""
    assert "text extraction failed" in caplog.text


def _fake_clamd(path: str, answer: bytes, seen: list[bytes]) -> threading.Thread:
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)

    def serve() -> None:
        conn, _ = server.accept()
        with conn, server:
            command = b""
            while not command.endswith(b"\0"):
                command += conn.recv(1)
            assert command == b"zINSTREAM\0"
            data = b""
            while True:
                (length,) = struct.unpack("!L", conn.recv(4, socket.MSG_WAITALL))
                if not length:
                    break
                data += conn.recv(length, socket.MSG_WAITALL)
            seen.append(data)
            conn.sendall(answer)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return thread


@pytest.mark.django_db
@pytest.mark.parametrize("infected", [False, True])
def test_clamd_scans_each_upload_when_a_socket_is_set(
    infected: bool, member: Any, upload: Any, settings: Any, tmp_path: Path
) -> None:
    settings.CLAMD_SOCKET = str(tmp_path / "clamd.sock")
    seen: list[bytes] = []
    answer = b"stream: Eicar-Signature FOUND\0" if infected else b"stream: OK\0"
    thread = _fake_clamd(settings.CLAMD_SOCKET, answer, seen)
    if infected:
        with pytest.raises(FileError, match="virus scanner"):
            file_store(upload("notes.txt", b"X5O!P%@AP"), by=member, purpose="test")
        assert not StoredFile.objects.exists()
        assert os.listdir(tmp_path / "media" / "files") == []
    else:
        file_store(upload("notes.txt", b"clean words"), by=member, purpose="test")
        assert StoredFile.objects.count() == 1
    thread.join(5)
    assert seen == [b"X5O!P%@AP" if infected else b"clean words"]


@pytest.mark.django_db
def test_an_unreachable_clamd_is_logged_and_the_upload_kept(
    member: Any, upload: Any, settings: Any, tmp_path: Path, caplog: Any
) -> None:
    settings.CLAMD_SOCKET = str(tmp_path / "nobody-listens.sock")
    file_store(upload("notes.txt", b"words"), by=member, purpose="test")
    assert StoredFile.objects.count() == 1
    assert "virus scan skipped" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_the_owning_app_hears_when_a_files_text_is_ready(
    member: Any, upload: Any, task_worker: Callable[[], None]
) -> None:
    from files.services import _extraction_listeners, register_extraction_listener

    heard: list[tuple[str, str]] = []
    register_extraction_listener("heard", lambda stored: heard.append((stored.text, "x")))
    try:
        stored = file_store(
            upload("a.pdf", pdf_bytes("Reciprocity ledger")), by=member, purpose="heard"
        )
        other = file_store(upload("b.pdf", pdf_bytes("Unheard")), by=member, purpose="evidence")
        task_worker()
    finally:
        _extraction_listeners.pop("heard", None)
    assert heard == [("Reciprocity ledger", "x")]
    assert stored.pk != other.pk
