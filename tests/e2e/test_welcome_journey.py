"""A newcomer's first visit, in Chromium: the "Start here" panel on the cohort home, the
dashboard listing a request still waiting, and the facilitators' participation view that
does not call someone who joined today "quiet". Axe scans each page at desktop and phone
sizes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e import browser
from tests.e2e.test_accessibility import BLOCKING_IMPACTS, describe
from tests.e2e.test_cohort_journeys import approved_cohort, import_framework, make_staff, seat

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


class TestWelcomeJourney(browser.BrowserTestCase):
    axe = Axe()

    def scan(self, page: Any, label: str) -> None:
        page.wait_for_load_state("load")
        blocking = [
            v for v in self.axe.run(page).response["violations"] if v["impact"] in BLOCKING_IMPACTS
        ]
        assert not blocking, f"axe on {label}:\n{describe(blocking)}"

    def scan_both_sizes(self, page: Any, label: str) -> None:
        self.scan(page, f"{label} (desktop)")
        page.set_viewport_size(PHONE)
        self.scan(page, f"{label} (phone)")
        page.set_viewport_size({"width": 1280, "height": 800})

    def test_a_member_who_joined_today_starts_here_and_is_not_quiet(self) -> None:
        from cohorts import services
        from cohorts.models import Membership
        from discussions.models import Thread
        from discussions.services import thread_create

        import_framework()
        fay = self.make_user("fay@example.org", name="Fay Facilitator")
        staff = make_staff(self, "rae@example.org", "Rae Reviewer")
        cohort = approved_cohort(by=fay, staff=staff, title="Partnerships circle")
        services.cohort_activate(cohort=cohort, by=fay)
        elsewhere = approved_cohort(by=fay, staff=staff, title="Youth voice circle")
        vic = self.make_user("vic@example.org", name="Vic Veteran")
        seat(cohort, vic, fay)
        Membership.objects.filter(cohort=cohort, user=vic).update(
            decided_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=30)
        )
        now = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
        for days, title in ((-14, "Story circle"), (-7, "Frameworks"), (3, "Opening circle")):
            start = now + dt.timedelta(days=days)
            services.session_create(
                cohort=cohort,
                by=fay,
                title=title,
                starts_at=start,
                ends_at=start + dt.timedelta(minutes=90),
            )
        welcome = thread_create(
            cohort=cohort, author=fay, title="Welcome, everyone", body="Say hello here."
        )
        Thread.objects.filter(pk=welcome.pk).update(pinned=True, announcement=True)
        # Nia joins today, and has asked to join another cohort too.
        nia = self.make_user("nia@example.org", name="Nia Newcomer")
        seat(cohort, nia, fay)
        services.membership_join(cohort=elsewhere, user=nia, message="May I join?")

        newcomer = self.new_page()
        self.sign_in(newcomer, "nia@example.org")
        newcomer.goto(self.url("/dashboard/"))
        expect(newcomer.get_by_role("heading", name="Waiting for an answer")).to_be_visible()
        expect(newcomer.get_by_role("link", name="Youth voice circle")).to_be_visible()
        self.scan_both_sizes(newcomer, "dashboard")

        newcomer.goto(self.url(cohort.get_absolute_url()))
        start_here = newcomer.get_by_role("region", name="Start here")
        expect(start_here).to_be_visible()
        expect(start_here.get_by_role("link", name="Read the welcome thread")).to_have_attribute(
            "href", welcome.get_absolute_url()
        )
        expect(start_here.get_by_role("link", name="Opening circle")).to_be_visible()
        expect(
            start_here.get_by_role("link", name="Add the sessions to your calendar")
        ).to_be_visible()
        self.scan_both_sizes(newcomer, "cohort home with Start here")
        start_here.get_by_role("button", name="Hide “Start here”").click()
        expect(newcomer.get_by_text("The “Start here” panel is hidden")).to_be_visible()
        expect(newcomer.get_by_role("region", name="Start here")).to_have_count(0)

        facilitator = self.new_page()
        self.sign_in(facilitator, "fay@example.org")
        facilitator.goto(self.url(f"/cohorts/{cohort.slug}/participation/"))
        expect(facilitator.get_by_text("1 member has been quiet lately")).to_be_visible()
        nia_row = facilitator.get_by_role("row").filter(has_text="Nia Newcomer")
        expect(nia_row).to_contain_text("New: no sessions held since joining")
        expect(nia_row).not_to_contain_text("Quiet lately")
        vic_row = facilitator.get_by_role("row").filter(has_text="Vic Veteran")
        expect(vic_row).to_contain_text("Quiet lately")
        self.scan_both_sizes(facilitator, "participation")
