"""Self-assessment and coverage in a real browser, with an axe scan and a CSP watch on every
page: a member takes the Partnerships self-assessment, takes it again and sees the change
(a chart with patterns and a table), then reads the coverage map and a thin cell. The same
pages work with JavaScript off."""

from __future__ import annotations

import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e import browser
from tests.e2e.test_accessibility import BLOCKING_IMPACTS, describe
from tests.e2e.test_cohort_journeys import import_framework
from tests.e2e.test_content_security_policy import RECORD_VIOLATIONS

pytestmark = pytest.mark.e2e

FIRST = {"PAR-1": "Emerging", "PAR-2": "Developing", "PAR-3": "Not yet", "PAR-4": "Developing",
         "PAR-5": "Proficient"}  # fmt: skip
SECOND = {"PAR-1": "Developing", "PAR-2": "Developing", "PAR-3": "Emerging",
          "PAR-4": "Proficient", "PAR-5": "Emerging"}  # fmt: skip


class TestSelfAssessmentAndCoverage(browser.BrowserTestCase):
    axe = Axe()

    def setUp(self) -> None:
        super().setUp()
        self.findings: list[str] = []

    def watched_page(self, **options: Any) -> Any:
        page = self.new_page(**options)
        page.add_init_script(RECORD_VIOLATIONS)
        page.on(
            "console",
            lambda msg: (
                self.findings.append(f"{page.url}: console {msg.type}: {msg.text}")
                if msg.type in {"error", "warning"}
                else None
            ),
        )
        page.on("pageerror", lambda exc: self.findings.append(f"{page.url}: page error: {exc}"))
        return page

    def scan(self, page: Any, label: str) -> None:
        page.wait_for_load_state("load")
        violations = page.evaluate("window.__cspViolations")
        self.findings.extend(f"{label}: CSP {v}" for v in violations)
        results = self.axe.run(page).response["violations"]
        blocking = [v for v in results if v["impact"] in BLOCKING_IMPACTS]
        if blocking:
            self.findings.append(f"axe on {label}:\n{describe(blocking)}")

    @staticmethod
    def rate(page: Any, levels: dict[str, str]) -> None:
        for code, level in levels.items():
            group = page.get_by_role("group", name=f"Your level for {code}")
            group.get_by_label(level, exact=True).check()

    def setup_journal(self) -> None:
        from journals.services import EntryInput, EvidenceInput, entry_create, evidence_add

        import_framework()
        mei = self.make_user("mei@example.org", name="Mei Member")
        entry = entry_create(
            author=mei,
            data=EntryInput(
                title="Listening first",
                competencies=["PAR-1", "PAR-2"],
                framing_questions=["experience", "growth"],
            ),
        )
        for n in range(3):
            entry_create(author=mei, data=EntryInput(title=f"Notes {n}", competencies=["PAR-1"]))
        evidence_add(
            entry=entry,
            by=mei,
            data=EvidenceInput(kind="url", url="https://example.org/r", competency="PAR-1"),
        )

    def test_take_twice_see_the_change_and_read_coverage(self) -> None:
        self.setup_journal()
        page = self.watched_page()
        self.sign_in(page, "mei@example.org")
        page.goto(self.url("/journal/self-assessment/"))
        self.scan(page, "my self-assessments (none yet)")
        page.get_by_role("link", name=re.compile(r"^Take it\W+Community Partnerships")).click()
        self.scan(page, "self-assessment form")

        # A missing rating re-renders the form with every choice kept.
        self.rate(page, {k: v for k, v in FIRST.items() if k != "PAR-3"})
        page.get_by_role("button", name="Save this self-assessment").click()
        expect(page.get_by_text("Choose a level for PAR-3.")).to_be_visible()
        # The re-rendered form answers 400 on purpose (the browser logs it): nothing else.
        expected = [f for f in self.findings if "status of 400 (Bad Request)" in f]
        assert len(expected) == 1
        self.findings.remove(expected[0])
        expect(
            page.get_by_role("group", name="Your level for PAR-5").get_by_label("Proficient")
        ).to_be_checked()
        self.scan(page, "self-assessment form with an error")
        self.rate(page, FIRST)
        page.get_by_role("button", name="Save this self-assessment").click()
        saved = "Your self-assessment of Community Partnerships is saved"
        expect(page.get_by_text(saved)).to_be_visible()
        expect(page.get_by_text("Your first sitting of this area.")).to_be_visible()
        self.scan(page, "first sitting")

        page.get_by_role("link", name="Take it again").click()
        expect(page.get_by_text("Last time: Emerging")).to_be_visible()
        self.rate(page, SECOND)
        page.get_by_role("button", name="Save this self-assessment").click()
        ratings = page.locator("table.assess-ratings")
        expect(ratings).to_contain_text("Emerging → Developing (+1)")
        expect(ratings).to_contain_text("Proficient → Emerging (-2)")
        expect(page.get_by_text("3 up, 1 down, 1 unchanged")).to_be_visible()
        chart = page.get_by_role("img", name=re.compile("change between sittings"))
        expect(chart).to_be_visible()
        expect(page.locator("#assessment-history")).to_contain_text("Developing → Proficient (+1)")
        self.scan(page, "second sitting with the chart")

        page.goto(self.url("/journal/self-assessment/"))
        expect(page.get_by_role("cell", name="3 up, 1 down, 1 unchanged")).to_be_visible()
        self.scan(page, "my self-assessments (two sittings)")

        page.get_by_role("link", name="See your coverage").click()
        page.get_by_role("link", name="Community Partnerships", exact=True).click()
        row = page.locator("#cell-PAR-1")
        expect(row).to_contain_text("Strong — 4 entries, 1 piece of evidence")
        expect(row).to_contain_text("Developing")
        expect(page.locator("#cell-PAR-2")).to_contain_text("Thin — 1 entry")
        self.scan(page, "coverage map")
        page.get_by_role("link", name=re.compile("^PAR-2 ")).click()
        expect(page.get_by_role("heading", name="Ways to build it")).to_be_visible()
        self.scan(page, "a thin cell")
        page.goto(self.url("/journal/coverage/PAR-1/"))
        self.scan(page, "a strong cell")

        assert not self.findings, "\n".join(self.findings)

    def test_works_without_javascript(self) -> None:
        from journals.models import SelfAssessment

        self.setup_journal()
        page = self.watched_page(java_script_enabled=False)
        self.sign_in(page, "mei@example.org")
        page.goto(self.url("/journal/self-assessment/take/?area=partnerships"))
        self.rate(page, FIRST)
        page.get_by_role("button", name="Save this self-assessment").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Community Partnerships")
        assert SelfAssessment.objects.count() == 1
        page.goto(self.url("/journal/coverage/?area=partnerships"))
        expect(page.locator("#cell-PAR-5")).to_contain_text("None — nothing yet")
