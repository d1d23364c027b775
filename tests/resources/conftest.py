"""Fixtures of the repertoire tests: a cohort with two members, real small files, and a
helper that shares a resource through the service."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from cohorts.models import Cohort
from resources.models import Resource
from resources.services import ResourceInput, resource_create
from tests.files.conftest import docx_bytes, pdf_bytes  # noqa: F401 (re-exported helpers)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MAX_UPLOAD_MB = 2
    settings.CLAMD_SOCKET = ""


@pytest.fixture
def member2(make_user: Callable[..., User]) -> User:
    return make_user("member2@example.org", name="Mateo Member")


@pytest.fixture
def home(cohort: Cohort, seat: Callable[..., Any], member2: User) -> Cohort:
    """``cohort`` (facilitated by ``facilitator``) with ``member`` and ``member2`` seated."""
    seat(cohort, member2)
    return cohort


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


@pytest.fixture
def share(home: Cohort, member: User) -> Callable[..., Resource]:
    """``share(kind="link", by=member, cohort=home, upload=None, **fields)``."""

    def make(
        kind: str = "link",
        *,
        by: User | None = None,
        cohort: Cohort | None = None,
        file: Any = None,
        **fields: Any,
    ) -> Resource:
        defaults: dict[str, Any] = {"title": f"A {kind}"}
        if kind == "link":
            defaults["url"] = "https://example.org/guide"
        if kind == "note":
            defaults["body"] = "Some notes from our partner meeting."
        if kind == "file" and file is None:
            file = upload("guide.pdf", pdf_bytes("Partnership guide"))
        return resource_create(
            cohort=cohort or home,
            by=by or member,
            kind=kind,
            data=ResourceInput(**{**defaults, **fields}),
            upload=file,
        )

    return make
