"""What the repertoire adds to the pages that gather across apps (registered in
``ResourcesConfig.ready``): the "Resources shared" column of the facilitators'
participation view (counts only), the "New resources in your cohorts" panel of the
dashboard, new resources in a cohort home's "Recent activity", and the cohort home's
Resources card. Each runs a fixed number of queries, however many resources there are."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone

from core.registry import ActivityItem, ActivitySource, CohortCard, Panel, ParticipationSource
from resources import permissions, selectors
from resources.models import Resource

# How far back the dashboard panel looks, and how many it lists.
NEW_DAYS = 14
NEW_LIMIT = 8
CARD_NEWEST = 3
KIND_LABELS = dict(Resource.Kind.choices)


def contributed_counts(cohort: Any) -> dict[int, int]:
    return selectors.contributed_counts(cohort)


SHARED = ParticipationSource(
    key="resources",
    label="Resources shared",
    counts=contributed_counts,
    help="Resources each person shared into the cohort (deleted ones not counted).",
)


def new_resources(user: Any) -> dict[str, Any]:
    """Resources others shared in the person's cohorts in the last two weeks (one query)."""
    since = timezone.now() - timedelta(days=NEW_DAYS)
    return {
        "new_resources": selectors.recent_in_cohorts(user, since=since, limit=NEW_LIMIT),
        "new_resources_days": NEW_DAYS,
    }


NEW_PANEL = Panel("resources.new", "resources/_dashboard_new.html", new_resources, order=45)


def _contributor(resource: Resource) -> str:
    return resource.contributor.display_name if resource.contributor else "A former member"


def resource_activity(cohort: Any, user: Any, limit: int) -> list[ActivityItem]:
    """Resources shared into the cohort that the viewer may open, newest first (one query)."""
    rows = (
        permissions.resources_visible_to(user)
        .filter(cohort=cohort)
        .select_related("contributor")
        .order_by("-created_at", "-pk")[:limit]
    )
    return [
        ActivityItem(
            at=resource.created_at,
            text=f"{_contributor(resource)} shared “{resource.title}”",
            url=resource.get_absolute_url(),
            kind="resource",
        )
        for resource in rows
    ]


RESOURCE_ACTIVITY = ActivitySource("resources.shared", resource_activity)


def cohort_card(cohort: Any, user: Any) -> dict[str, Any]:
    """How many resources the viewer may open in the cohort, and the newest three (two
    queries)."""
    rows = permissions.resources_visible_to(user).filter(cohort=cohort)
    newest = list(rows.order_by("-created_at", "-pk").values("pk", "title", "kind")[:CARD_NEWEST])
    count = rows.count() if len(newest) == CARD_NEWEST else len(newest)
    return {
        "cohort": cohort,
        "count": count,
        "newest": [
            {
                "title": row["title"],
                "kind": row["kind"],
                "kind_label": KIND_LABELS.get(row["kind"], row["kind"]),
                "url": reverse("resources:detail", args=[row["pk"]]),
            }
            for row in newest
        ],
        "url": reverse("resources:repertoire", args=[cohort.slug]),
    }


COHORT_CARD = CohortCard(
    "resources.repertoire", "resources/_cohort_card.html", cohort_card, order=20
)
