"""The six-session template in the browser: it starts from the term, shows the planned
dates with a warning for each one past the term before anything is scheduled, and the
cohort's "Meets" line then says how the sessions fall. Axe-scanned at desktop and phone."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e import browser
from tests.e2e.browser import field
from tests.e2e.test_accessibility import BLOCKING_IMPACTS, describe
from tests.e2e.test_cohort_journeys import approved_cohort, import_framework, make_staff

pytestmark = pytest.mark.e2e


class TestSessionTemplate(browser.BrowserTestCase):
    axe = Axe()

    def blocking(self, page: Any) -> list[str]:
        results = self.axe.run(page).response["violations"]
        found = [v for v in results if v["impact"] in BLOCKING_IMPACTS]
        return [describe(found)] if found else []

    def test_template_dates_warn_past_the_term_before_confirming(self) -> None:
        import_framework()
        fay = self.make_user("fay@example.org", name="Fay Facilitator")
        rae = make_staff(self, "rae@example.org", "Rae Reviewer")
        # Term 1 September to 15 December 2031.
        cohort = approved_cohort(by=fay, staff=rae, title="Partnerships circle")
        findings: list[str] = []
        for size in ({"width": 1280, "height": 900}, {"width": 390, "height": 844}):
            page = self.new_page(viewport=size)
            self.sign_in(page, "fay@example.org")
            page.goto(self.url(f"/cohorts/{cohort.slug}/console/"))
            outline = page.get_by_role("group", name="Six-session outline")
            expect(field(outline, "First session on")).to_have_value("2031-09-01")
            # Weekly from Wednesday 19 November: 17 and 24 December are past the term.
            field(outline, "First session on").fill("2031-11-19")
            field(outline, "Starting at").fill("12:00")
            field(outline, "How often").select_option("weekly")
            page.get_by_role("button", name="Show the six dates").click()
            expect(page.get_by_role("alert")).to_contain_text("2 of the six sessions fall")
            rows = page.get_by_role("table", name="Planned sessions").locator("tbody tr")
            expect(rows).to_have_count(6)
            expect(rows.nth(4)).to_contain_text("after the term ends (15 Dec 2031)")
            expect(rows.nth(3)).to_contain_text("Within the term")
            findings += self.blocking(page)
        from cohorts.models import Session

        assert not Session.objects.filter(cohort=cohort).exists()
        page.get_by_role("button", name="Schedule anyway").click()
        expect(page.get_by_text("6 sessions are scheduled.")).to_be_visible()
        page.goto(self.url(f"/cohorts/{cohort.slug}/"))
        expect(page.get_by_text("Every Wednesday, 12:00 to 13:30")).to_be_visible()
        first = Session.objects.filter(cohort=cohort).order_by("starts_at").first()
        assert first is not None
        page.goto(self.url(first.get_absolute_url()))
        expect(page.get_by_role("link", name="Add this session to your calendar")).to_be_visible()
        findings += self.blocking(page)
        assert findings == [], "\n".join(findings)
