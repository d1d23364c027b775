"""Program staff see how many proposals wait, which of them have too few facilitators, and
every problem of a review at once; a person's own place shows in the directory, whose period
filter offers only periods still open. Scanned with axe at desktop and phone sizes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e import browser
from tests.e2e import test_cohort_accessibility as cohort_pages
from tests.e2e.test_discussions_live import off_the_loop

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


def _build(case: browser.BrowserTestCase) -> dict[str, Any]:
    from cohorts.models import EnrollmentPeriod

    world = cohort_pages.build_world(case)
    today = dt.date.today()
    EnrollmentPeriod.objects.create(
        slug="closed-window",
        name="Closed window",
        opens_on=today - dt.timedelta(days=120),
        closes_on=today - dt.timedelta(days=30),
    )
    EnrollmentPeriod.objects.create(
        slug="open-window",
        name="Open window",
        opens_on=today - dt.timedelta(days=10),
        closes_on=today + dt.timedelta(days=60),
    )
    return world


class TestStaffAndDirectory(browser.BrowserTestCase):
    axe = cohort_pages.TestCohortAccessibility.axe
    watched_page = cohort_pages.TestCohortAccessibility.watched_page
    scan = cohort_pages.TestCohortAccessibility.scan

    def setUp(self) -> None:
        super().setUp()
        self.findings: list[str] = []

    def test_staff_review_queue_and_a_members_directory(self) -> None:
        world = off_the_loop(_build, self)
        proposal = world["proposal"]

        rae = self.watched_page()
        self.sign_in(rae, "rae@example.org")
        rae.goto(self.url("/dashboard/"))
        waiting = rae.get_by_role("link", name="1 cohort waiting for review")
        expect(waiting).to_be_visible()
        waiting.click()
        expect(rae.get_by_text("One facilitator (two expected)").first).to_be_visible()
        self.scan(rae, "review queue")

        rae.goto(self.url(f"/cohorts/{proposal.slug}/review/"))
        expect(rae.get_by_text("One facilitator (two expected)").first).to_be_visible()
        # Submitting with nothing chosen or written reports every problem at once.
        rae.get_by_role("button", name="Record the review").click()
        errors = rae.locator("ul.errorlist li")
        expect(errors.first).to_be_visible()
        assert errors.count() >= 3, errors.all_inner_texts()
        self.scan(rae, "review form with errors")
        rae.set_viewport_size(PHONE)
        self.scan(rae, "review form with errors, phone")

        pat = self.watched_page()
        pat.set_viewport_size(PHONE)
        self.sign_in(pat, "pat@example.org")
        pat.goto(self.url("/cohorts/"))
        card = pat.locator("article, li").filter(has_text="Partnerships circle").first
        expect(card.get_by_text("You asked to join")).to_be_visible()
        options = pat.locator("select[name=period] option").all_inner_texts()
        assert "Open window" in options and "Closed window" not in options, options
        self.scan(pat, "directory, phone")

        assert not self.findings, "\n".join(self.findings)
