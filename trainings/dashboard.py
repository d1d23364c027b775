"""The trainings' dashboard panel: upcoming trainings for the competencies of my cohorts."""

from __future__ import annotations

from typing import Any

from core.registry import Panel
from trainings import selectors


def upcoming(user: Any) -> dict[str, Any]:
    return {"upcoming_trainings": selectors.upcoming_for_user(user, limit=5)}


PANEL = Panel("trainings.upcoming", "trainings/_dashboard_upcoming.html", upcoming, order=30)
