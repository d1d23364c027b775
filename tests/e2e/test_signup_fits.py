"""Signing up fits the person: the time zone comes from the browser, the list is grouped by
region, the verification e-mail is Commonplace's own and can be sent again."""

from __future__ import annotations

import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from accounts.models import User
from tests.e2e import browser
from tests.e2e.browser import field

pytestmark = pytest.mark.e2e

PASSWORD = "a-long-and-unusual-passphrase-42"
PHONE = {"width": 390, "height": 844}


class TestSignupFits(browser.BrowserTestCase):
    axe = Axe()

    def assert_accessible(self, page: Any, where: str) -> None:
        violations = self.axe.run(page).response["violations"]
        blocking = [v for v in violations if v["impact"] in {"serious", "critical"}]
        assert not blocking, f"axe on {where}: " + "; ".join(
            f"{v['id']}: {[n['target'] for n in v['nodes'][:3]]}" for v in blocking
        )

    def test_signup_takes_the_browsers_time_zone_and_the_mail_can_be_sent_again(self) -> None:
        page = self.new_page(timezone_id="Europe/Berlin")
        page.goto(self.url("/accounts/signup/"))
        zone = field(page, "Time zone")
        expect(zone).to_have_value("Europe/Berlin")
        groups = zone.locator("optgroup")
        expect(groups.first).to_have_attribute("label", "Americas")
        assert "Europe" in groups.evaluate_all("gs => gs.map(g => g.label)")
        expect(zone.locator('option[value="Factory"], option[value="localtime"]')).to_have_count(0)
        self.assert_accessible(page, "the sign-up form")

        field(page, "Email").fill("emmy.noether@example.org")
        field(page, "Your name").fill("Emmy Noether")
        field(page, "Password").fill(PASSWORD)
        field(page, "Password (again)").fill(PASSWORD)
        page.get_by_role("button", name="Sign Up").click()

        expect(page.get_by_role("heading", level=1)).to_have_text("Verify Your Email Address")
        assert User.objects.get(email="emmy.noether@example.org").time_zone == "Europe/Berlin"
        [message] = self.sent_emails()
        assert message["Subject"].startswith("[Commonplace] Confirm your e-mail address")
        body = self.plain_body(message)
        assert body.startswith("Hello Emmy Noether,") and "Hello from" not in body
        link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", body)
        assert link and link.group(0).startswith(self.live_server_url + "/")
        self.assert_accessible(page, "the verify-your-e-mail page")

        # Asking again at once is refused by the limit, and says so.
        page.get_by_role("button", name="Send the link again").click()
        expect(page.get_by_role("status")).to_contain_text("no new one went out yet")
        expect(page.get_by_role("heading", level=1)).to_have_text("Verify Your Email Address")
        assert len(self.sent_emails()) == 1

    def test_on_a_phone_an_old_zone_name_from_the_browser_selects_its_current_name(self) -> None:
        # Chromium reports Kolkata by its old name, Asia/Calcutta, which the list leaves out.
        page = self.new_page(timezone_id="Asia/Kolkata", viewport=PHONE)
        page.goto(self.url("/accounts/signup/"))
        expect(field(page, "Time zone")).to_have_value("Asia/Kolkata")
        self.assert_accessible(page, "the sign-up form on a phone")

        field(page, "Email").fill("srinivasa@example.org")
        field(page, "Your name").fill("Srinivasa Ramanujan")
        field(page, "Password").fill(PASSWORD)
        field(page, "Password (again)").fill(PASSWORD)
        page.get_by_role("button", name="Sign Up").click()
        expect(page.get_by_role("button", name="Send the link again")).to_be_visible()
        self.assert_accessible(page, "the verify-your-e-mail page on a phone")
        assert User.objects.get(email="srinivasa@example.org").time_zone == "Asia/Kolkata"
