"""How an entry's evidence shows to a reader (filled in by the evidence work)."""

from __future__ import annotations

from typing import Any


def evidence_for(viewer: Any, entry: Any) -> list[Any]:
    """The entry's evidence as ``viewer`` may see it, in the author's order."""
    return []
