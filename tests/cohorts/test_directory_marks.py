"""The directory marks the cohorts I belong to or asked to join, in a constant number of
queries, and its enrollment-period filter offers only periods still open."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from cohorts import services
from cohorts.models import Cohort, EnrollmentPeriod

pytestmark = pytest.mark.django_db


def card(page: str, title: str) -> str:
    """The directory card of the cohort called ``title``."""
    (found,) = [c for c in page.split('class="card cohort-card"')[1:] if f">{title}</a>" in c]
    return found


def test_directory_marks_cohorts_i_belong_to_or_asked_to_join(
    signed_in: Any, facilitator: User, make_user: Any, make_cohort: Any, seat: Any
) -> None:
    me = make_user("me@example.org", name="Mo Member")
    mine = make_cohort(by=facilitator, title="Mine already")
    asked = make_cohort(by=facilitator, title="Asked to join")
    make_cohort(by=facilitator, title="Not mine")
    seat(mine, me)
    services.membership_join(cohort=asked, user=me, message="May I join?")
    client = signed_in(me)
    page = client.get(reverse("cohorts:directory")).content.decode()
    assert "You are a member" in card(page, "Mine already")
    assert "You asked to join" in card(page, "Asked to join")
    assert "You are a member" not in card(page, "Not mine")
    assert "You asked to join" not in card(page, "Not mine")
    fac_page = signed_in(facilitator).get(reverse("cohorts:directory")).content.decode()
    assert "You facilitate" in card(fac_page, "Not mine")


def test_directory_marks_cost_the_same_queries_however_many_cohorts(
    signed_in: Any, facilitator: User, make_user: Any, make_cohort: Any, seat: Any
) -> None:
    me = make_user("me@example.org", name="Mo Member")
    client = signed_in(me)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("cohorts:directory")).status_code == 200
        return len(ctx.captured_queries)

    seat(make_cohort(by=facilitator, title="First"), me)
    count()
    few = count()
    for i in range(5):
        cohort = make_cohort(by=make_user(), title=f"More {i}")
        services.membership_join(cohort=cohort, user=me, message="May I join?")
    assert count() == few


def test_directory_period_filter_hides_closed_periods(client: Any) -> None:
    today = timezone.localdate()
    EnrollmentPeriod.objects.create(
        slug="closed-period",
        name="Closed period",
        opens_on=today - dt.timedelta(days=90),
        closes_on=today - dt.timedelta(days=1),
    )
    EnrollmentPeriod.objects.create(
        slug="open-period",
        name="Open period",
        opens_on=today - dt.timedelta(days=10),
        closes_on=today,
    )
    EnrollmentPeriod.objects.create(
        slug="next-period",
        name="Next period",
        opens_on=today + dt.timedelta(days=30),
        closes_on=today + dt.timedelta(days=60),
    )
    page = client.get(reverse("cohorts:directory")).content.decode()
    assert 'value="open-period"' in page
    assert 'value="next-period"' in page
    assert 'value="closed-period"' not in page
    # An old link that still names the closed period is ignored, not an error.
    response = client.get(reverse("cohorts:directory"), {"period": "closed-period"})
    assert response.status_code == 200
    assert Cohort.objects.count() == 0
