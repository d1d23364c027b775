"""What the trainings app adds to pages it does not own (core.registry.PageSection): the
note on the communities-of-practice directory, and the trainings and cohorts for each
competency on a credential area's page."""

from __future__ import annotations

from typing import Any

from core.registry import PageSection
from trainings import selectors


def area_offerings(request: Any, page: dict[str, Any]) -> dict[str, Any]:
    area = page.get("area")
    if area is None:
        return {"area_offerings": []}
    return {"area_offerings": selectors.offerings_for_area(area)}


SECTIONS = (
    PageSection("trainings.directory_note", "cohorts.directory", "trainings/_cop_note.html"),
    PageSection(
        "trainings.area_offerings",
        "competencies.area",
        "trainings/_area_offerings.html",
        area_offerings,
    ),
)
