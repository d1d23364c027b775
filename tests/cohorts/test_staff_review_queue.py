"""What program staff see of proposals waiting for review: the count on the dashboard, a
review form that reports every problem at once, and a flag on proposals with fewer
facilitators than the program expects."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from accounts.models import User
from cohorts import services
from cohorts.models import Cohort, CohortReview

pytestmark = pytest.mark.django_db


def review_data(**overrides: str) -> dict[str, str]:
    data = {"decision": "approve", "message": "A fine design."}
    for name, _ in CohortReview.CRITERIA:
        data[name] = "met"
        data[f"{name}_note"] = f"Note on {name}."
    data.update(overrides)
    return data


def test_staff_dashboard_shows_how_many_cohorts_wait_for_review(
    signed_in: Any, staff: User, facilitator: User, make_cohort: Any
) -> None:
    make_cohort(by=facilitator, title="First proposal", state="submitted")
    make_cohort(by=facilitator, title="Second proposal", state="submitted")
    make_cohort(by=facilitator, title="Still a draft", state="draft")
    page = signed_in(staff).get(reverse("dashboard:home")).content.decode()
    assert 'id="reviews-waiting"' in page
    assert "2 cohorts waiting for review" in page
    assert reverse("cohorts:review_queue") in page


def test_dashboard_review_count_is_for_program_staff_only(
    signed_in: Any, facilitator: User, make_cohort: Any
) -> None:
    make_cohort(by=facilitator, title="First proposal", state="submitted")
    page = signed_in(facilitator).get(reverse("dashboard:home")).content.decode()
    assert 'id="reviews-waiting"' not in page


def test_review_form_reports_every_problem_at_once(
    signed_in: Any, staff: User, facilitator: User, make_cohort: Any
) -> None:
    cohort = make_cohort(by=facilitator, title="Waiting for review", state="submitted")
    data = review_data(
        message="   ",
        identities="not_met",
        identities_note="Only one way to take part.",
        knowledge_note="x" * 6000,
    )
    response = signed_in(staff).post(reverse("cohorts:review", args=[cohort.slug]), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "cannot be approved while a principle does not hold yet" in page
    assert "This field is required." in page  # the blank message
    assert "Ensure this value has at most 5000 characters" in page  # the long note
    assert "Only one way to take part." in page  # nothing written is lost
    cohort.refresh_from_db()
    assert cohort.state == Cohort.State.SUBMITTED


def test_a_proposal_with_one_facilitator_is_flagged_in_the_queue_and_on_the_review_page(
    signed_in: Any,
    staff: User,
    facilitator: User,
    cofacilitator: User,
    make_cohort: Any,
) -> None:
    lone = make_cohort(by=facilitator, title="Solo proposal", state="draft")
    services.invitation_create(
        cohort=lone, by=facilitator, email="maybe@example.org", role="facilitator"
    )
    services.cohort_submit(cohort=lone, by=facilitator)
    paired = make_cohort(by=facilitator, title="Paired proposal", state="draft")
    _, token = services.invitation_create(
        cohort=paired, by=facilitator, email=cofacilitator.email, role="facilitator"
    )
    services.invitation_accept(token=token, user=cofacilitator)
    services.cohort_submit(cohort=paired, by=facilitator)
    client = signed_in(staff)

    queue = client.get(reverse("cohorts:review_queue")).content.decode()
    assert queue.count("One facilitator (two expected)") == 1
    row = queue.split("Solo proposal")[1].split("</tr>")[0]
    assert "One facilitator (two expected)" in row

    page = client.get(reverse("cohorts:review", args=[lone.slug])).content.decode()
    assert "One facilitator (two expected)" in page
    assert "1 co-facilitator invitation pending" in page
    paired_page = client.get(reverse("cohorts:review", args=[paired.slug])).content.decode()
    assert "two expected" not in paired_page
