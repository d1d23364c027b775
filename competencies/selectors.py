from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from competencies.models import Area, Competency, Framework


def frameworks_with_tree() -> QuerySet[Framework]:
    """Frameworks with areas, competencies and framing questions in four queries."""
    return Framework.objects.prefetch_related(
        Prefetch(
            "areas",
            queryset=Area.objects.order_by("order", "pk").prefetch_related(
                Prefetch("competencies", queryset=Competency.objects.order_by("order", "pk"))
            ),
        ),
        "framing_questions",
    )


def default_framework() -> Framework | None:
    return Framework.objects.filter(is_default=True).first() or Framework.objects.first()


def framework_by_slug(slug: str) -> Framework:
    framework = frameworks_with_tree().filter(slug=slug).first()
    if framework is None:
        raise Http404("No such framework.")
    return framework


def area_by_slugs(framework_slug: str, area_slug: str) -> Area:
    area = (
        Area.objects.select_related("framework")
        .prefetch_related(
            Prefetch("competencies", queryset=Competency.objects.order_by("order", "pk"))
        )
        .filter(framework__slug=framework_slug, slug=area_slug)
        .first()
    )
    if area is None:
        raise Http404("No such area.")
    return area
