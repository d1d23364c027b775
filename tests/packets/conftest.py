"""Fixtures of the packet tests: ``packet`` (member's partnerships packet for Fall 2031),
``make_packet`` for others, and the journal fixtures (``home``, ``member2``, ``write``,
``other_cohort``) reused from tests/journals."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from accounts.models import User
from packets.models import Packet
from packets.services.packets import packet_create
from tests.journals.conftest import (  # noqa: F401  (fixtures)
    home,
    member2,
    other_cohort,
    other_facilitator,
    post_prompt,
    write,
)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MAX_UPLOAD_MB = 2
    settings.CLAMD_SOCKET = ""


@pytest.fixture
def make_packet(enrollment_period: Any, partnerships: Any) -> Callable[..., Packet]:
    """``make_packet(owner, area=partnerships, period=enrollment_period)``."""

    def make(owner: User, *, area: Any = None, period: Any = "default") -> Packet:
        return packet_create(
            owner=owner,
            area=area or partnerships,
            period=enrollment_period if period == "default" else period,
        )

    return make


@pytest.fixture
def packet(make_packet: Callable[..., Packet], member: User) -> Packet:
    """``member``'s partnerships packet for Fall 2031 (sections made from the area)."""
    return make_packet(member)
