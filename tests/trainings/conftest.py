"""Fixtures of the trainings tests: provider organisations, trainings walked through the
real services to any status, and the conflicted reviewer.

- ``org``: "Tove Institute" (domains tove.edu, tove-alumni.org), managed by ``provider``;
- ``other_provider``: another provider account with its own organisation ``other_org``;
- ``conflicted_reviewer``: a reviewer whose verified address is at tove.edu;
- ``make_training(status=..., org=..., approved_until=..., runs=..., **fields)``;
- ``approved``: an approved training of ``org`` (PAR-1, PAR-2), approved for a year.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from accounts.models import User
from accounts.roles import PlatformRole
from trainings import services
from trainings.models import Provider, Training

JUDGE_ALL = {
    "guided_instruction": ("meets", "Clear sessions."),
    "curriculum": ("meets", ""),
    "learning_goals": ("meets", ""),
}
TODAY = dt.date.today


def fields(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "title": "Reciprocal partnerships in practice",
        "format": "course",
        "description": "Six weeks on building partnerships that serve both sides.",
        "curriculum": "Week 1: listening.\nWeek 2: agreements.",
        "learning_goals": ["Map partners' interests", "Draft a partnership agreement"],
        "delivery": "online",
        "duration_hours": "12",
        "cost_amount": "",
        "registration_url": "https://tove.edu/register",
    }
    values.update(overrides)
    return values


@pytest.fixture
def org(provider: User) -> Provider:
    return services.provider_save(
        by=provider, name="Tove Institute", website="https://tove.edu",
        domains=["tove.edu", "tove-alumni.org"],
    )  # fmt: skip


@pytest.fixture
def other_provider(make_user: Callable[..., User]) -> User:
    return make_user("olga@other-org.net", name="Olga Other", role=PlatformRole.TRAINING_PROVIDER)


@pytest.fixture
def other_org(other_provider: User) -> Provider:
    return services.provider_save(by=other_provider, name="Other Org", domains=["other-org.net"])


@pytest.fixture
def conflicted_reviewer(make_user: Callable[..., User]) -> User:
    return make_user("carla@tove.edu", name="Carla Conflicted", role=PlatformRole.REVIEW_BOARD)


@pytest.fixture
def board(make_user: Callable[..., User]) -> User:
    """A reviewer who decides in the fixtures (so ``reviewer`` is free for the tests)."""
    return make_user("bea@board.org", name="Bea Board", role=PlatformRole.REVIEW_BOARD)


@pytest.fixture
def make_training(
    framework: Any, org: Provider, provider: User, board: User
) -> Callable[..., Training]:
    def make(
        status: str = "approved",
        *,
        org: Provider = org,
        by: User | None = None,
        approved_until: dt.date | None = None,
        runs: list[tuple[dt.date, dt.date]] | None = None,
        codes: tuple[str, ...] = ("PAR-1", "PAR-2"),
        **overrides: Any,
    ) -> Training:
        owner = by or org.users.first()
        if runs is None:
            start = TODAY() + dt.timedelta(days=30)
            runs = [(start, start + dt.timedelta(days=40))]
        training = services.training_create(
            by=owner, provider=org, runs=runs, competency_codes=codes, **fields(**overrides)
        )
        if status == "draft":
            return training
        services.training_submit(by=owner, training=training)
        if status == "submitted":
            return Training.objects.get(pk=training.pk)
        decision = {
            "approved": "approve",
            "changes_requested": "request_changes",
            "declined": "decline",
        }[status]
        services.training_review(
            reviewer=board, training=training, decision=decision, judgements=JUDGE_ALL,
            message="" if decision == "approve" else "Please say more about the curriculum.",
            approved_until=approved_until or TODAY() + dt.timedelta(days=365)
            if decision == "approve" else None,
        )  # fmt: skip
        return Training.objects.get(pk=training.pk)

    return make


@pytest.fixture
def approved(make_training: Callable[..., Training]) -> Training:
    return make_training("approved")
