"""What the program asks of an application in each credential area.

Which parts an area's application has comes from the framework (``Area.submission``, e.g.
``reflective-essay``, ``annotated-artifacts``, ``partner-reference-letter``); the numbers
(artifacts per key competency, word limits, how long a partner's link lasts) come from a
data file, ``packets/requirements.json`` unless ``PACKET_REQUIREMENTS_FILE`` names another.
Program staff change the data, not the code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings

DEFAULT_FILE = Path(__file__).with_name("requirements.json")

# Parts of Area.submission this app knows how to assemble.
ESSAY = "reflective-essay"
ARTIFACTS = ("annotated-artifacts", "presentation-or-annotated-materials")
LETTER = "partner-reference-letter"
SELF_ASSESSMENT = "self-assessment"
DEVELOPMENT = "cv-and-professional-development"
ACTION_PLAN = "action-plan"
CONTEXT = "institutional-context"
CLOSING = "closing-narrative"


@dataclass(frozen=True)
class Requirements:
    parts: tuple[str, ...]
    artifacts_per_key_competency: int = 1
    min_words: int = 0
    # Per section kind ("framing", "action_plan", "context", "closing"); 0 = no limit.
    word_limits: dict[str, int] = field(default_factory=dict)
    letter_link_days: int = 30

    @property
    def has_essay(self) -> bool:
        return ESSAY in self.parts

    @property
    def wants_artifacts(self) -> bool:
        return any(part in self.parts for part in ARTIFACTS)

    @property
    def wants_letter(self) -> bool:
        return LETTER in self.parts

    @property
    def wants_action_plan(self) -> bool:
        return ACTION_PLAN in self.parts

    @property
    def wants_context(self) -> bool:
        return CONTEXT in self.parts

    @property
    def wants_closing(self) -> bool:
        return CLOSING in self.parts

    def word_limit(self, kind: str) -> int:
        return int(self.word_limits.get(kind, 0) or 0)


@lru_cache(maxsize=4)
def _load(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected an object")
    return data


def requirements_data() -> dict[str, Any]:
    path = getattr(settings, "PACKET_REQUIREMENTS_FILE", "") or str(DEFAULT_FILE)
    return _load(str(path))


def requirements_for(area: Any) -> Requirements:
    """The requirements of an application in ``area`` (an ``Area``)."""
    data = requirements_data()
    merged: dict[str, Any] = dict(data.get("default", {}))
    own = data.get("areas", {}).get(area.slug, {})
    limits = dict(merged.get("word_limits", {}))
    limits.update(own.get("word_limits", {}))
    merged.update(own)
    merged["word_limits"] = limits
    return Requirements(
        parts=tuple(area.submission or ()),
        artifacts_per_key_competency=int(merged.get("artifacts_per_key_competency", 1)),
        min_words=int(merged.get("min_words", 0)),
        word_limits={str(k): int(v) for k, v in limits.items()},
        letter_link_days=int(merged.get("letter_link_days", 30)),
    )
