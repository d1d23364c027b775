"""Creating proposals is limited: a few open at once per person, and a few new a day."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from cohorts.models import Cohort
from cohorts.services import CohortError
from cohorts.services.lifecycle import OPEN_PROPOSALS_MAX

pytestmark = pytest.mark.django_db


def test_open_proposals_per_person_are_capped(
    propose: Callable[..., Cohort], facilitator: User, settings: Any
) -> None:
    settings.COHORT_PROPOSALS_PER_DAY = 100
    for n in range(OPEN_PROPOSALS_MAX):
        propose(title=f"Proposal {n}")
    with pytest.raises(CohortError, match="still in progress") as refused:
        propose(title="One too many")
    assert refused.value.code == "rate_limited"
    assert Cohort.objects.filter(proposed_by=facilitator).count() == OPEN_PROPOSALS_MAX


def test_new_proposals_a_day_are_capped_even_when_earlier_ones_were_decided(
    propose: Callable[..., Cohort],
    bring_to: Callable[[Cohort, str], Cohort],
    settings: Any,
) -> None:
    settings.COHORT_PROPOSALS_PER_DAY = 2
    bring_to(propose(title="First"), Cohort.State.REJECTED)
    bring_to(propose(title="Second"), Cohort.State.REJECTED)
    with pytest.raises(CohortError, match="a day"):
        propose(title="Third")


def test_the_proposal_page_says_why_and_keeps_the_text(
    propose: Callable[..., Cohort],
    facilitator: User,
    signed_in: Callable[[User], Client],
    settings: Any,
) -> None:
    settings.COHORT_PROPOSALS_PER_DAY = 1
    propose(title="Earlier today")
    client = signed_in(facilitator)
    form = client.get(reverse("cohorts:propose")).context["form"]
    area = form.fields["focus_areas"].queryset.first()
    response = client.post(
        reverse("cohorts:propose"),
        {
            "title": "A second idea",
            "description": "Something I typed with care.",
            "term_start": "2027-02-01",
            "term_end": "2027-05-31",
            "cadence": "Weekly",
            "time_zone": "America/New_York",
            "capacity": 12,
            "join_policy": "request",
            "focus_areas": [area.pk],
        },
    )
    assert response.status_code in (200, 400)
    page = response.content.decode()
    assert "at most 1 proposals a day" in page
    assert "Something I typed with care." in page
    assert not Cohort.objects.filter(title="A second idea").exists()
