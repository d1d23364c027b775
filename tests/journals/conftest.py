"""Fixtures of the journal tests: a cohort with two members and a facilitator, a second
cohort with its own facilitator, and ``write`` to make entries through the service."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from accounts.models import User
from cohorts.models import Cohort
from journals.models import Entry
from journals.services import EntryInput, entry_create


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


@pytest.fixture
def other_facilitator(make_user: Callable[..., User]) -> User:
    return make_user("otherfac@example.org", name="Olu Otherfac")


@pytest.fixture
def other_cohort(make_cohort: Callable[..., Cohort], other_facilitator: User) -> Cohort:
    """Another approved cohort, facilitated by ``other_facilitator``."""
    return make_cohort(by=other_facilitator, title="Assessment circle", capacity=12)


@pytest.fixture
def write(home: Cohort, member: User) -> Callable[..., Entry]:
    """``write(author=member, visibility="private", **EntryInput fields)``."""

    def make(author: User | None = None, *, visibility: str = "private", **fields: Any) -> Entry:
        fields.setdefault("title", "What I learned about reciprocity")
        fields.setdefault("body", "We listened before we planned.")
        if visibility != "private":
            fields.setdefault("cohort", home)
        return entry_create(
            author=author or member, data=EntryInput(**fields), visibility=visibility
        )

    return make


@pytest.fixture
def post_prompt(home: Cohort, facilitator: User) -> Callable[..., Any]:
    """``post_prompt(title=..., cohort=home, by=facilitator, **PromptInput fields)``."""
    from journals.services import PromptInput, prompt_create

    def make(title: str = "A moment you shared power", **fields: Any) -> Any:
        cohort = fields.pop("cohort", home)
        by = fields.pop("by", facilitator)
        fields.setdefault("body", "Think of a time you *stepped back*.")
        return prompt_create(cohort=cohort, by=by, data=PromptInput(title=title, **fields))

    return make
