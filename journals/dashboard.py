"""What the journals add to the pages that gather across apps (registered in
``journals.registrations``): the dashboard's "Reflection prompts" panel, the "Reflections
shared" column of the facilitators' participation view (counts of shared entries only),
and a cohort home's "Reflection prompts" card. Each runs a fixed number of queries."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from core.registry import CohortCard, Panel, ParticipationSource
from journals import permissions
from journals.models import Prompt
from journals.selectors import prompts as selectors

CARD_OPEN = 3


def open_prompts(user: Any) -> dict[str, Any]:
    """Open prompts in the person's cohorts, soonest due first (one query)."""
    return {"open_prompts": selectors.open_prompts_for(user)}


PANEL = Panel("journals.prompts", "journals/_dashboard_prompts.html", open_prompts, order=25)


REFLECTIONS = ParticipationSource(
    key="reflections",
    label="Reflections shared",
    counts=selectors.reflection_counts,
    help=(
        "Journal entries each person shared with the facilitators or the cohort. Private "
        "entries are never counted."
    ),
)


def cohort_card(cohort: Any, user: Any) -> dict[str, Any]:
    """The cohort's open prompts, soonest due first, for its members and facilitators;
    nothing for anyone else (staff reading the cohort's pages). At most three queries: the
    viewer's cohorts (kept on the user for the request), the prompts, and whether they
    facilitate."""
    if cohort.pk not in permissions.member_cohort_ids(user):
        return {"cohort": cohort, "shown": False}
    rows = Prompt.objects.filter(cohort=cohort, closed_at__isnull=True)
    newest = list(selectors.due_first(rows).only("pk", "title", "due_on")[: CARD_OPEN + 1])
    return {
        "cohort": cohort,
        "shown": True,
        "prompts": newest[:CARD_OPEN],
        "more": len(newest) > CARD_OPEN,
        "url": reverse("journals:prompts", args=[cohort.slug]),
        "can_manage": permissions.can_manage_prompt(user, cohort),
        "new_url": reverse("journals:prompt_new", args=[cohort.slug]),
        "reflections_url": reverse("journals:reflections", args=[cohort.slug]),
    }


COHORT_CARD = CohortCard("journals.prompts", "journals/_cohort_prompts.html", cohort_card, order=30)
