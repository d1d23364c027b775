"""schema.org ``Course`` / ``CourseInstance`` JSON-LD for the catalog and detail pages.

Rendered into a ``<script type="application/ld+json">`` data block: browsers never run a
block of that type (the CSP's ``script-src`` governs only executable scripts), and the
JSON is escaped so no text in it can close the element."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils.safestring import SafeString, mark_safe

from trainings.models import Training

COURSE_MODE = {"online": "online", "in_person": "onsite", "hybrid": "blended"}


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _hours(value: Any) -> str:
    return f"PT{value.normalize():f}H" if value is not None else ""


def course(training: Training) -> dict[str, Any]:
    mode = COURSE_MODE[training.delivery]
    runs = getattr(training, "upcoming_runs", None)
    if runs is None:
        runs = list(training.runs.all())
    instances: list[dict[str, Any]] = []
    for run in runs:
        instance = {
            "@type": "CourseInstance",
            "courseMode": mode,
            "startDate": run.starts_on.isoformat(),
            "endDate": run.ends_on.isoformat(),
        }
        if training.location:
            instance["location"] = training.location
        instances.append(instance)
    if training.self_paced or not instances:
        instances.append(
            {
                "@type": "CourseInstance",
                "courseMode": mode,
                "courseWorkload": _hours(training.duration_hours),
            }
        )
    data: dict[str, Any] = {
        "@type": "Course",
        "@id": _absolute(training.get_absolute_url()),
        "url": _absolute(training.get_absolute_url()),
        "name": training.title,
        "description": training.description,
        "provider": {"@type": "Organization", "name": training.provider.name},
        "timeRequired": _hours(training.duration_hours),
        "teaches": [f"{c.code} {c.title}" for c in training.competencies.all()],
        "hasCourseInstance": instances,
        "offers": {
            "@type": "Offer",
            "category": "Free" if training.is_free else "Paid",
            "price": str(training.cost_amount or 0),
            "priceCurrency": training.cost_currency or "USD",
        },
    }
    if training.provider.website:
        data["provider"]["sameAs"] = training.provider.website
    if training.registration_url:
        data["offers"]["url"] = training.registration_url
    return data


def dumps(data: dict[str, Any]) -> SafeString:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(text)  # noqa: S308 - JSON with every markup character escaped


def for_detail(training: Training) -> SafeString:
    return dumps({"@context": "https://schema.org", **course(training)})


def for_catalog(trainings: Iterable[Training]) -> SafeString:
    return dumps(
        {
            "@context": "https://schema.org",
            "@type": "ItemList",
            "itemListElement": [
                {"@type": "ListItem", "position": i, "item": course(t)}
                for i, t in enumerate(trainings, start=1)
            ],
        }
    )
