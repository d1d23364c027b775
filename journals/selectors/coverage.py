"""Coverage of the framework by a person's entries and evidence (filled in by the coverage
work)."""

from __future__ import annotations

from typing import Any


def coverage_summary(user: Any) -> list[Any]:
    """Per credential area: how many key competencies have strong, thin or no evidence."""
    return []
