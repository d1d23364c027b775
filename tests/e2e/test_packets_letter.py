"""The community partner letter in a real browser: the applicant asks for a letter from
her packet page; the partner opens the mailed link in a browser with no account and writes
the letter (or, without JavaScript, uploads a PDF); the link is then used up; the
applicant sees the letter in her packet. An axe scan and a CSP watch on every page.

Preconditions only are made with the services (the framework, the applicant, her packet);
every step a person takes is a click or a keystroke.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e import browser
from tests.e2e.browser import field
from tests.e2e.test_accessibility import BLOCKING_IMPACTS, describe
from tests.e2e.test_cohort_journeys import import_framework
from tests.e2e.test_content_security_policy import RECORD_VIOLATIONS
from tests.files.conftest import pdf_bytes

pytestmark = pytest.mark.e2e

LINK = re.compile(r"https?://\S+(/letters/[A-Za-z0-9_-]+/)")
EXPECTED_STATUS = re.compile(r"the server responded with a status of 4(00|10) ")
REQUEST = "Could you speak to how we planned the pantry together?"


class TestPartnerLetterJourney(browser.BrowserTestCase):
    axe = Axe()

    def setUp(self) -> None:
        super().setUp()
        self.findings: list[str] = []

    def watched_page(self, **options: Any) -> Any:
        page = self.new_page(**options)
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", lambda msg: self.console(page, msg))
        page.on("pageerror", lambda exc: self.findings.append(f"{page.url}: page error: {exc}"))
        return page

    def console(self, page: Any, msg: Any) -> None:
        # A refused form (400) and a used link (410) answer so on purpose; Chromium logs
        # every such document load as a console error.
        if msg.type in {"error", "warning"} and not EXPECTED_STATUS.search(msg.text):
            self.findings.append(f"{page.url}: console {msg.type}: {msg.text}")

    def scan(self, page: Any, label: str) -> None:
        page.wait_for_load_state("load")
        if page.evaluate("typeof window.__cspViolations !== 'undefined'"):
            violations = page.evaluate("window.__cspViolations")
            self.findings.extend(f"{label}: CSP {v}" for v in violations)
        results = self.axe.run(page).response["violations"]
        blocking = [v for v in results if v["impact"] in BLOCKING_IMPACTS]
        if blocking:
            self.findings.append(f"axe on {label}:\n{describe(blocking)}")

    def build(self) -> Any:
        from competencies.models import Area
        from packets.services.packets import packet_create

        framework = import_framework()
        mei = self.make_user("mei@example.org", name="Mei Member")
        area = Area.objects.get(framework=framework, slug="partnerships")
        return packet_create(owner=mei, area=area, period=None)

    def request_letter(self, packet: Any, partner: str, address: str) -> str:
        """Mei asks ``partner`` for a letter from her packet page; returns the link's path."""
        page = self.watched_page()
        self.sign_in(page, "mei@example.org")
        page.goto(self.url(packet.get_absolute_url()))
        letters = page.locator("#letters")
        expect(letters).to_contain_text("No letter requested yet")
        letters.get_by_role("link", name="Ask a partner for a letter").click()
        self.scan(page, "letter request form")
        field(page, "Partner's name").fill(partner)
        field(page, "Partner's e-mail address").fill(address)
        field(page, "Your request").fill(REQUEST)
        page.get_by_role("button", name="Send the request").click()
        expect(page.locator("#letters")).to_contain_text("waiting for an answer")
        expect(page.get_by_text(f"Your request is on its way to {partner}")).to_be_visible()
        self.scan(page, "packet page with a pending request")
        self.owner_page = page
        (mail,) = [m for m in self.sent_emails() if m["To"] == address]
        found = LINK.search(self.plain_body(mail))
        assert found, self.plain_body(mail)
        return found.group(1)

    def test_a_partner_without_an_account_writes_the_letter_and_the_applicant_reads_it(
        self,
    ) -> None:
        from accounts.models import Notification

        packet = self.build()
        path = self.request_letter(packet, "Ana Ruiz", "ana@coop.example.net")

        partner = self.watched_page()
        partner.goto(self.url(path))
        expect(partner.get_by_role("heading", level=1)).to_have_text("A letter for Mei Member")
        expect(partner.locator("body")).to_contain_text("Community Partnerships")
        expect(partner.locator("blockquote")).to_have_text(REQUEST)
        expect(partner.locator("body")).not_to_contain_text("mei@example.org")
        expect(partner.get_by_role("link", name=re.compile("Journal|Dashboard"))).to_have_count(0)
        self.scan(partner, "partner letter page")
        # Sending without a letter is refused with a reason, and what was typed stays.
        field(partner, "Your name and role").fill("Ana Ruiz, Director, Eastside Co-op")
        partner.get_by_role("button", name="Send the letter").click()
        expect(partner.get_by_text("Write your letter or choose a file to upload.")).to_be_visible()
        expect(field(partner, "Your name and role")).to_have_value(
            "Ana Ruiz, Director, Eastside Co-op"
        )
        self.scan(partner, "partner letter page with an error")
        field(partner, "Write your letter").fill(
            "Mei **co-designed** the pantry with our members.\n\nShe listened first."
        )
        partner.get_by_role("button", name="Send the letter").click()
        expect(partner.get_by_role("heading", level=1)).to_have_text(
            "Thank you: your letter was sent"
        )
        self.scan(partner, "partner thanks page")
        # The link is used up.
        response = partner.goto(self.url(path))
        assert response is not None and response.status == 410
        expect(partner.get_by_role("heading", level=1)).to_have_text(
            "This letter link can\u2019t be used"
        )
        self.scan(partner, "used letter link")

        owner = self.owner_page
        owner.reload()
        letters = owner.locator("#letters")
        expect(letters.locator("strong")).to_have_text("co-designed")
        expect(letters).to_contain_text("signed by Ana Ruiz, Director, Eastside Co-op")
        expect(letters).not_to_contain_text("waiting for an answer")
        assert Notification.objects.filter(user=packet.owner, kind="packets.letter").count() == 1
        self.scan(owner, "packet page with a letter")
        assert not self.findings, "\n".join(self.findings)

    def test_a_partner_without_javascript_uploads_a_pdf_and_the_applicant_downloads_it(
        self,
    ) -> None:
        packet = self.build()
        path = self.request_letter(packet, "Cy Diaz", "cy@example.net")
        folder = Path(tempfile.mkdtemp(prefix="letter-"))
        self.addCleanup(shutil.rmtree, folder, True)
        letter_pdf = folder / "Letter for Mei.pdf"
        letter_pdf.write_bytes(pdf_bytes("Letter from Cy"))

        partner = self.watched_page(java_script_enabled=False)
        partner.goto(self.url(path))
        field(partner, "Your name and role").fill("Cy Diaz, Organiser")
        field(partner, "Or upload it as a file").set_input_files(str(letter_pdf))
        partner.get_by_role("button", name="Send the letter").click()
        expect(partner.get_by_role("heading", level=1)).to_have_text(
            "Thank you: your letter was sent"
        )

        owner = self.owner_page
        owner.reload()
        link = owner.locator("#letters").get_by_role("link", name="Letter for Mei.pdf")
        expect(link).to_be_visible()
        download = owner.request.get(self.url(urlsplit(link.get_attribute("href")).path))
        assert download.status == 200
        assert download.headers["content-type"] == "application/pdf"
        assert download.body().startswith(b"%PDF")
        # The partner's browser, holding only the used link, cannot fetch the file.
        assert partner.request.get(download.url).status == 404
        assert not self.findings, "\n".join(self.findings)

    def test_a_revoked_link_is_gone_for_the_partner(self) -> None:
        packet = self.build()
        path = self.request_letter(packet, "Bo Lee", "bo@example.net")
        owner = self.owner_page
        owner.locator("#letters").get_by_role("link", name=re.compile("Revoke the link")).click()
        self.scan(owner, "revoke confirmation")
        owner.get_by_role("button", name="Revoke the link").click()
        expect(owner.get_by_text("The link sent to Bo Lee no longer works.")).to_be_visible()
        expect(owner.locator("#letters")).to_contain_text("you revoked the link")

        partner = self.watched_page()
        response = partner.goto(self.url(path))
        assert response is not None and response.status == 410
        expect(partner.locator("body")).to_contain_text("withdrawn")
        expect(partner.locator("body")).not_to_contain_text(REQUEST)
        assert not self.findings, "\n".join(self.findings)
