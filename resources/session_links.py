"""The session page lists the session's materials (through the cohorts seam, so cohorts
never imports this app): one link per material the viewer may open, then one to the full
list. Three queries whatever the number of materials."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from cohorts.session_links import SessionLink
from resources.models import CollectionItem
from resources.permissions import resources_visible_to


def materials_links(session: Any, user: Any) -> list[SessionLink]:
    items = list(
        CollectionItem.objects.filter(collection__session=session)
        .select_related("resource")
        .only("resource__id", "resource__title", "collection_id", "position")
        .order_by("collection__title", "collection_id", "position", "pk")
    )
    links: list[SessionLink] = []
    if items:
        visible = set(
            resources_visible_to(user)
            .filter(pk__in=[item.resource_id for item in items])
            .values_list("pk", flat=True)
        )
        seen: set[int] = set()
        for item in items:
            if item.resource_id in visible and item.resource_id not in seen:
                seen.add(item.resource_id)
                links.append(
                    SessionLink("Material", item.resource.title, item.resource.get_absolute_url())
                )
    links.append(
        SessionLink(
            "Materials",
            "All materials for this session",
            reverse("resources:session_materials", args=[session.cohort.slug, session.pk]),
        )
    )
    return links
