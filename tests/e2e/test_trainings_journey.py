"""The trainings journey in a real browser, with an axe scan and a CSP watch on every page
it passes: a provider registers the organisation and submits a training; a reviewer asks
for a change; the provider revises and resubmits, and the reviewer sees the diff and
approves; a member finds it in the public catalog by competency, records a completion and
sees it in their professional development list."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e import browser
from tests.e2e.browser import field
from tests.e2e.test_accessibility import BLOCKING_IMPACTS, describe
from tests.e2e.test_cohort_journeys import import_framework
from tests.e2e.test_content_security_policy import RECORD_VIOLATIONS

pytestmark = pytest.mark.e2e

TITLE = "Listening first: partnership basics"


class TestTrainingJourney(browser.BrowserTestCase):
    axe = Axe()

    def setUp(self) -> None:
        super().setUp()
        self.findings: list[str] = []

    def watched_page(self) -> Any:
        page = self.new_page()
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

    def test_submit_review_resubmit_approve_find_and_complete(self) -> None:
        from accounts.roles import PlatformRole
        from accounts.services import role_grant

        import_framework()
        tove = self.make_user("tove@tove.edu", name="Tove Provider")
        role_grant(user=tove, role=PlatformRole.TRAINING_PROVIDER)
        rene = self.make_user("rene@board.org", name="Rene Reviewer")
        role_grant(user=rene, role=PlatformRole.REVIEW_BOARD)
        self.make_user("mei@example.org", name="Mei Member")

        # The provider registers the organisation and submits a training.
        provider = self.watched_page()
        self.sign_in(provider, "tove@tove.edu")
        provider.goto(self.url("/trainings/provide/"))
        self.scan(provider, "your trainings (empty)")
        provider.get_by_role("link", name="Register it").click()
        self.scan(provider, "organisation form")
        field(provider, "Organisation name").fill("Tove Institute")
        field(provider, "Website").fill("https://tove.edu")
        field(provider, "E-mail domains").fill("tove.edu")
        provider.get_by_role("button", name="Save").click()
        expect(provider.get_by_text("Your organisation is saved.")).to_be_visible()
        provider.get_by_role("link", name="Add a training").click()
        self.scan(provider, "training form")
        start = dt.date.today() + dt.timedelta(days=20)
        field(provider, "Title").fill(TITLE)
        field(provider, "Format").select_option("workshop")
        field(provider, "Description").fill("A day on listening to community partners.")
        field(provider, "Curriculum outline").fill("Morning: stories.\nAfternoon: agreements.")
        field(provider, "Learning goals").fill("Listen before proposing\nDraft an agreement")
        provider.get_by_label(re.compile(r"^PAR-1 ")).check()
        field(provider, "Delivery").select_option("online")
        field(provider, "Dates").fill(f"{start:%Y-%m-%d} to {start:%Y-%m-%d}")
        field(provider, "Duration in hours").fill("6")
        provider.get_by_role("button", name="Save and submit for review").click()
        expect(provider.locator("#training-status")).to_have_text("Under review")
        self.scan(provider, "status page (under review)")

        # The reviewer asks for a change.
        reviewer = self.watched_page()
        self.sign_in(reviewer, "rene@board.org")
        reviewer.goto(self.url("/trainings/review/"))
        self.scan(reviewer, "review queue")
        reviewer.get_by_role("link", name=TITLE).click()
        self.scan(reviewer, "review form (first review)")
        self.judge(reviewer)
        reviewer.get_by_role("group", name="Decision").get_by_label("Request changes").check()
        field(reviewer, "Message to the provider").fill("Please describe the afternoon.")
        reviewer.get_by_role("button", name="Record the decision").click()
        expect(reviewer.get_by_text("Your decision is recorded")).to_be_visible()

        # The provider sees the message (not the reviewer), revises and resubmits.
        provider.reload()
        expect(provider.locator("#training-status")).to_have_text("Changes requested")
        expect(provider.get_by_text("Please describe the afternoon.")).to_be_visible()
        assert "Rene" not in provider.content()
        self.scan(provider, "status page (changes requested)")
        provider.get_by_role("link", name="Edit", exact=True).click()
        field(provider, "Curriculum outline").fill(
            "Morning: stories.\nAfternoon: drafting a partnership agreement together."
        )
        provider.get_by_role("button", name="Save and submit for review").click()
        expect(provider.locator("#training-status")).to_have_text("Under review")

        # The reviewer sees what changed and approves.
        reviewer.goto(self.url("/trainings/review/"))
        reviewer.get_by_role("link", name=TITLE).click()
        diff = reviewer.get_by_role("region", name="What changed since the last review")
        expect(diff.locator("ins")).to_contain_text(
            "Afternoon: drafting a partnership agreement together."
        )
        expect(diff.locator("del")).to_contain_text("Afternoon: agreements.")
        self.scan(reviewer, "review form (with diff)")
        self.judge(reviewer)
        reviewer.get_by_role("group", name="Decision").get_by_label("Approve").check()
        until = dt.date.today() + dt.timedelta(days=365)
        field(reviewer, "Approved until").fill(until.isoformat())
        reviewer.get_by_role("button", name="Record the decision").click()
        expect(reviewer.get_by_text("Your decision is recorded")).to_be_visible()
        provider.reload()
        expect(provider.locator("#training-status")).to_have_text("Approved")
        self.scan(provider, "status page (approved: renewal and completions forms)")
        provider.goto(self.url("/trainings/provide/"))
        self.scan(provider, "your trainings (one approved)")

        # A member finds it in the public catalog by competency and records a completion.
        member = self.watched_page()
        self.sign_in(member, "mei@example.org")
        member.goto(self.url("/trainings/"))
        self.scan(member, "catalog")
        field(member, "Competency").select_option("PAR-1")
        member.get_by_role("button", name="Filter").click()
        expect(member.get_by_role("status")).to_contain_text("1 training matches")
        member.get_by_role("link", name=TITLE).click()
        expect(member.get_by_text("Reviewed by the Content Advisory Board on")).to_be_visible()
        data = json.loads(member.locator('script[type="application/ld+json"]').text_content())
        assert data["@type"] == "Course" and data["name"] == TITLE
        self.scan(member, "training page")
        member.get_by_role("link", name="I completed this training").click()
        self.scan(member, "completion form")
        field(member, "Hours").fill("6")
        member.get_by_role("button", name="Record").click()
        expect(member.locator("#completions")).to_contain_text(TITLE)
        self.scan(member, "professional development list")
        member.goto(self.url("/trainings/provide/request/"))
        expect(member.get_by_role("heading", level=1)).to_have_text("Become a training provider")
        self.scan(member, "provider role request")

        assert not self.findings, "\n".join(self.findings)

    def test_public_and_reviewer_side_pages(self) -> None:
        from accounts.roles import PlatformRole
        from accounts.services import role_grant

        import_framework()
        rene = self.make_user("rene@board.org", name="Rene Reviewer")
        role_grant(user=rene, role=PlatformRole.REVIEW_BOARD)
        visitor = self.watched_page()
        for path, label in [
            ("/trainings/", "catalog (anonymous, empty)"),
            ("/competencies/cep/partnerships/", "area page with trainings and cohorts"),
            ("/cohorts/", "CoP directory with the trainings note"),
        ]:
            response = visitor.goto(self.url(path))
            assert response is not None and response.ok, path
            self.scan(visitor, label)
        visitor.get_by_role("link", name="approved trainings").first.click()
        expect(visitor.get_by_role("heading", level=1)).to_have_text("Approved trainings")
        reviewer = self.watched_page()
        self.sign_in(reviewer, "rene@board.org")
        reviewer.goto(self.url("/trainings/review/conflicts/"))
        expect(reviewer.get_by_role("heading", level=1)).to_have_text("Your conflicts of interest")
        self.scan(reviewer, "conflicts")
        assert not self.findings, "\n".join(self.findings)

    @staticmethod
    def judge(page: Any) -> None:
        for criterion in ("Guided instruction", "A clear curriculum", "Stated learning goals"):
            page.get_by_role("group", name=criterion).get_by_label("Meets the standard").check()
