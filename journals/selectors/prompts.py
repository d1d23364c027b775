"""Prompts and feedback as the journal home and dashboard show them (filled in by the
prompts work)."""

from __future__ import annotations

from typing import Any


def open_prompts_for(user: Any) -> list[Any]:
    """Open prompts of the person's cohorts, soonest due first."""
    return []


def recent_feedback_for(user: Any, *, limit: int = 5) -> list[Any]:
    """The latest comments others wrote on the person's entries."""
    return []
