"""Packet exports in a real browser, with an axe scan and a CSP watch on every page: the
applicant asks for a PDF from the packet page, follows it on its status page until it is
ready, downloads it and it opens (pypdf reads her name, the contents and her section);
then the same for a Word document (python-docx reads its headings). Without JavaScript the
status page refreshes itself.

Preconditions (accounts, the framework, the packet and its text) are made with the
services; every step a person takes is a click.
"""

from __future__ import annotations

import datetime as dt
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

SECTION_TEXT = "We planned the garden survey with the neighbourhood council."


class TestPacketExportJourney(browser.BrowserTestCase):
    axe = Axe()

    def setUp(self) -> None:
        super().setUp()
        self.findings: list[str] = []

    def watched_page(self, **options: Any) -> Any:
        page = self.new_page(accept_downloads=True, **options)
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
        if page.evaluate("typeof window.__cspViolations !== 'undefined'"):
            violations = page.evaluate("window.__cspViolations")
            self.findings.extend(f"{label}: CSP {v}" for v in violations)
        results = self.axe.run(page).response["violations"]
        blocking = [v for v in results if v["impact"] in BLOCKING_IMPACTS]
        if blocking:
            self.findings.append(f"axe on {label}:\n{describe(blocking)}")

    def build(self) -> Any:
        from cohorts.models import EnrollmentPeriod
        from competencies.models import Area
        from packets.models import Section
        from packets.services.packets import packet_create

        framework = import_framework()
        mei = self.make_user("mei@example.org", name="Mei Member")
        period = EnrollmentPeriod.objects.create(
            slug="fall-2031",
            name="Fall 2031",
            opens_on=dt.date(2031, 9, 1),
            closes_on=dt.date(2031, 10, 15),
        )
        packet = packet_create(
            owner=mei,
            area=Area.objects.get(framework=framework, slug="partnerships"),
            period=period,
        )
        section = Section.objects.filter(packet=packet).order_by("order", "pk").first()
        assert section is not None
        section.body = SECTION_TEXT
        section.word_count = len(SECTION_TEXT.split())
        section.save(update_fields=["body", "word_count"])
        return packet, section

    def download(self, page: Any, label: str) -> Any:
        with page.expect_download() as info:
            page.get_by_role("link", name=re.compile(rf"^Download .*\.{label}$")).click()
        return info.value

    def test_request_follow_download_and_open_pdf_and_docx(self) -> None:
        import docx
        from pypdf import PdfReader

        packet, section = self.build()
        page = self.watched_page()
        self.sign_in(page, "mei@example.org")
        page.goto(self.url(packet.get_absolute_url()))
        exports = page.locator("#exports")
        expect(exports.get_by_role("heading", name="Export")).to_be_visible()
        self.scan(page, "packet page")

        # The PDF: requested, followed to ready, downloaded and read back.
        exports.get_by_role("button", name="PDF").click()
        page.wait_for_url(re.compile(r"/files/exports/[0-9a-f-]+/\?next="))
        expect(page.get_by_text("Ready")).to_be_visible()
        self.scan(page, "export status page")
        pdf = self.download(page, "pdf")
        assert pdf.suggested_filename == "community-partnerships-packet-fall-2031.pdf"
        reader = PdfReader(pdf.path())
        text = "\n".join(p.extract_text() or "" for p in reader.pages)
        assert "Mei Member" in reader.pages[0].extract_text()
        assert "Contents" in text and section.title in text
        assert SECTION_TEXT in " ".join(text.split())

        # Back to the packet: the PDF is listed there; now the Word document.
        page.get_by_role("link", name="Back").click()
        page.wait_for_url(re.compile(rf"/journal/packets/{packet.pk}/"))
        expect(exports.get_by_role("link", name=re.compile(r"Download .*\.pdf"))).to_be_visible()
        self.scan(page, "packet page with an export")
        exports.get_by_role("button", name="Word (DOCX)").click()
        expect(page.get_by_text("Ready")).to_be_visible()
        word = self.download(page, "docx")
        document = docx.Document(word.path())
        headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
        assert headings[0] == section.title
        assert any(p.text == SECTION_TEXT for p in document.paragraphs)

        # The owner was told, with the download link.
        page.goto(self.url("/accounts/notifications/"))
        expect(page.get_by_text(re.compile("Your export is ready")).first).to_be_visible()
        assert not self.findings, "\n".join(self.findings)

    def test_status_page_without_javascript_refreshes_itself_until_ready(self) -> None:
        from django.utils import timezone

        from files.models import Export

        packet, _ = self.build()
        mei = packet.owner
        waiting = Export.objects.create(
            owner=mei,
            kind="packets.pdf",
            subject=str(packet.pk),
            label="Community Partnerships packet (PDF)",
            status=Export.Status.RUNNING,
            progress=40,
            message="Artifacts: 4 of 10",
            expires_at=timezone.now() + dt.timedelta(hours=1),
        )
        # With JavaScript the page polls (the axe scan runs here: a page that reloads
        # itself every few seconds cannot be scanned).
        live = self.watched_page()
        self.sign_in(live, "mei@example.org")
        live.goto(self.url(f"/files/exports/{waiting.pk}/"))
        expect(live.get_by_text("Artifacts: 4 of 10")).to_be_visible()
        self.scan(live, "status page while building")
        # The worker finishes: the script shows the download without a reload.
        Export.objects.filter(pk=waiting.pk).update(
            status=Export.Status.DONE, progress=100, filename="packet.pdf", size=10
        )
        expect(live.get_by_role("link", name="Download packet.pdf")).to_be_visible()
        expect(live.locator("progress")).to_have_count(0)
        live.close()
        Export.objects.filter(pk=waiting.pk).update(status=Export.Status.RUNNING, progress=40)

        page = self.watched_page(java_script_enabled=False)
        self.sign_in(page, "mei@example.org")
        page.goto(self.url(f"/files/exports/{waiting.pk}/"))
        expect(page.get_by_text("Artifacts: 4 of 10")).to_be_visible()
        assert page.locator("progress").get_attribute("value") == "40"
        # The worker finishes meanwhile: the page shows it on its own refresh.
        Export.objects.filter(pk=waiting.pk).update(status=Export.Status.FAILED, error="Gone.")
        expect(page.get_by_text("Gone.")).to_be_visible(timeout=8_000)
        assert not self.findings, "\n".join(self.findings)
