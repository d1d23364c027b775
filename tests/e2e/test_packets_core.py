"""The packet core in a real browser, with an axe scan and a CSP/console watch on every
page it passes: Mei starts a packet from her dashboard, writes a section that saves as she
types while the word count follows her, quotes a passage from one of her entries, and
finds the packet in her list. Then the editor in two tabs: a save in one makes the other's
autosave a conflict that shows both texts; she keeps hers and nothing else is lost.

Preconditions only are made with the services (accounts, an enrollment period, an entry);
every step a person takes is a click or a keystroke."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests.e2e import browser
from tests.e2e.browser import field
from tests.e2e.test_accessibility import BLOCKING_IMPACTS, describe
from tests.e2e.test_cohort_journeys import import_framework
from tests.e2e.test_content_security_policy import RECORD_VIOLATIONS

pytestmark = pytest.mark.e2e

ENTRY = "Listening first at the food bank"
PASSAGE = "We listened before we planned, and the partner chose the first topic."


class TestPacketCore(browser.BrowserTestCase):
    axe = Axe()

    def setUp(self) -> None:
        super().setUp()
        self.findings: list[str] = []

    def watch(self, page: Any) -> Any:
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

    def build(self) -> Any:
        from cohorts.models import EnrollmentPeriod
        from journals.services import EntryInput, entry_create

        import_framework()
        EnrollmentPeriod.objects.create(
            slug="fall-2031",
            name="Fall 2031",
            opens_on=dt.date(2031, 9, 1),
            closes_on=dt.date(2031, 10, 15),
        )
        mei = self.make_user("mei@example.org", name="Mei Member")
        entry_create(
            author=mei,
            data=EntryInput(title=ENTRY, body=f"A first, short thought.\n\n{PASSAGE}"),
        )
        return mei

    def test_start_a_packet_write_a_section_and_quote_an_entry(self) -> None:
        from packets.models import Packet

        mei_user = self.build()
        mei = self.watch(self.new_page())
        self.sign_in(mei, "mei@example.org")
        panel = mei.locator("section.packets-panel")
        expect(panel).to_be_visible()
        self.scan(mei, "dashboard with the packets panel")
        panel.get_by_role("link", name="Start an application packet").click()
        expect(
            mei.get_by_role("heading", name="Start an application packet", level=1)
        ).to_be_visible()
        self.scan(mei, "new packet")
        mei.get_by_label("Community Partnerships").check()
        field(mei, "Enrollment period").select_option(label="Fall 2031")
        mei.get_by_role("button", name="Start the packet").click()
        expect(
            mei.get_by_role("heading", name="Community Partnerships application packet", level=1)
        ).to_be_visible()
        packet = Packet.objects.get(owner=mei_user)
        self.scan(mei, "the packet page")

        section = packet.sections.order_by("order").first()
        mei.get_by_role("link", name=f"Write “{section.title}”").click()
        expect(mei.get_by_role("heading", name=section.title, level=1)).to_be_visible()
        self.scan(mei, "the section editor")
        text = field(mei, "Your text")
        text.fill("Partnership begins with listening to what the food bank needs.")
        counter = mei.locator("#word-count")
        expect(counter).to_have_text("10 words of 1000")
        expect(mei.locator("#autosave-status")).to_have_text(re.compile(r"^Saved \(10 words\)"))
        section.refresh_from_db()
        assert (section.word_count, section.version) == (10, 2)
        assert section.body.startswith("Partnership begins")

        # Quote a passage from her entry: it is added to the end, linking back.
        mei.get_by_role("link", name="Quote a passage from an entry").click()
        expect(
            mei.get_by_role("heading", name="Quote a passage from one of your entries", level=1)
        ).to_be_visible()
        self.scan(mei, "quote a passage: choose an entry")
        from journals.models import Entry

        entry = Entry.objects.get(title=ENTRY)
        field(mei, "Entry").select_option(value=str(entry.pk))
        mei.get_by_role("button", name="Show its paragraphs").click()
        mei.get_by_label(PASSAGE).check()
        self.scan(mei, "quote a passage: choose a paragraph")
        mei.get_by_role("button", name="Quote it").click()
        expect(mei.get_by_role("heading", name=section.title, level=1)).to_be_visible()
        expect(mei.get_by_text(f"The passage from “{ENTRY}” is quoted.")).to_be_visible()
        expect(field(mei, "Your text")).to_have_value(re.compile(re.escape(f"> {PASSAGE}")))
        section.refresh_from_db()
        assert "— from [“" in section.body
        expect(counter).to_have_text(f"{section.word_count} words of 1000")

        # The word count follows her typing over the limit.
        field(mei, "Your text").fill("word " * 1002)
        expect(counter).to_have_text("1002 words of 1000 — 2 over the limit")
        expect(mei.locator("#autosave-status")).to_have_text(re.compile(r"^Saved"))

        mei.get_by_role("link", name="Back to the packet").click()
        expect(mei.locator(f"#section-{section.pk}")).to_contain_text("1002 words of 1000")
        mei.get_by_role("link", name="Application packets").first.click()
        expect(mei.get_by_role("heading", name="Application packets", level=1)).to_be_visible()
        expect(mei.locator("#my-packets")).to_contain_text("Community Partnerships")
        self.scan(mei, "the packet list")
        assert not self.findings, "\n".join(self.findings)

    def test_a_save_in_another_tab_makes_autosave_show_both_texts(self) -> None:
        from competencies.models import Area
        from packets.services.packets import packet_create

        mei_user = self.build()
        packet = packet_create(
            owner=mei_user, area=Area.objects.get(slug="partnerships"), period=None
        )
        section = packet.sections.order_by("order").first()
        context_page = self.watch(self.new_page())
        self.sign_in(context_page, "mei@example.org")
        first = context_page
        first.goto(self.url(section.get_absolute_url()))
        second = self.watch(first.context.new_page())
        self._open_pages.append(second)
        second.goto(self.url(section.get_absolute_url()))

        field(first, "Your text").fill("Saved in the first tab.")
        expect(first.locator("#autosave-status")).to_have_text(re.compile(r"^Saved"))
        field(second, "Your text").fill("Typed in the second tab.")
        conflict = second.locator("#conflict")
        expect(conflict).to_be_visible()
        expect(second.locator("#conflict-yours")).to_have_text("Typed in the second tab.")
        expect(second.locator("#conflict-theirs")).to_have_text("Saved in the first tab.")
        self.scan(second, "the editor's conflict view")
        section.refresh_from_db()
        assert section.body == "Saved in the first tab."
        second.get_by_role("button", name="Keep mine").click()
        expect(conflict).to_be_hidden()
        expect(second.locator("#autosave-status")).to_have_text(re.compile(r"^Saved"))
        section.refresh_from_db()
        assert (section.body, section.version) == ("Typed in the second tab.", 3)

        # Offline, what she types is kept on this device; the tab dies before the
        # connection comes back. Opened again, the editor offers the copy back.
        first.close()
        status = second.locator("#autosave-status")
        second.context.set_offline(True)
        text = field(second, "Your text")
        text.press("End")
        text.press_sequentially(" Kept offline.")
        expect(status).to_contain_text("Offline — kept on this device")
        with second.expect_event("crash"), pytest.raises(PlaywrightError, match="crash"):
            second.goto("chrome://crash")
        second.close()
        second.context.set_offline(False)
        third = self.watch(second.context.new_page())
        self._open_pages.append(third)
        third.goto(self.url(section.get_absolute_url()))
        offer = third.locator("#local-copy")
        expect(offer).to_be_visible()
        self.scan(third, "the editor offering the copy kept on this device")
        offer.get_by_role("button", name="Restore it").click()
        expect(field(third, "Your text")).to_have_value("Typed in the second tab. Kept offline.")
        expect(third.locator("#autosave-status")).to_have_text(re.compile(r"^Saved"))
        section.refresh_from_db()
        assert section.body == "Typed in the second tab. Kept offline."
        # The refused save logs a 409 and the offline saves fail in the console, on purpose.
        self.findings = [
            f for f in self.findings if "409" not in f and "ERR_INTERNET_DISCONNECTED" not in f
        ]
        assert not self.findings, "\n".join(self.findings)

    def test_share_for_feedback_comment_and_stop_sharing(self) -> None:
        from competencies.models import Area
        from packets.services.packets import packet_create
        from tests.e2e.test_cohort_journeys import approved_cohort, make_staff, seat

        mei_user = self.build()
        fay_user = self.make_user("fay@example.org", name="Fay Facilitator")
        rae = make_staff(self, "rae@example.org", "Rae Reviewer")
        cohort = approved_cohort(by=fay_user, staff=rae, title="Partnerships circle")
        seat(cohort, mei_user, fay_user)
        packet = packet_create(
            owner=mei_user, area=Area.objects.get(slug="partnerships"), period=None
        )

        mei = self.watch(self.new_page())
        self.sign_in(mei, "mei@example.org")
        mei.goto(self.url(packet.get_absolute_url()))
        mei.get_by_role("link", name="Share for feedback").click()
        expect(mei.get_by_text("Read by: Fay Facilitator")).to_be_visible()
        self.scan(mei, "share for feedback")
        mei.get_by_label("Partnerships circle").check()
        mei.get_by_role("button", name="Share it").click()
        expect(mei.locator(".errorlist")).to_contain_text("Tick the box")
        mei.get_by_label("Yes, let them read this packet and comment on it").check()
        mei.get_by_role("button", name="Share it").click()
        expect(mei.locator("#sharing")).to_contain_text("Partnerships circle")

        fay = self.watch(self.new_page())
        self.sign_in(fay, "fay@example.org")
        fay.goto(self.url("/journal/packets/"))
        expect(fay.locator("#shared-packets")).to_contain_text("Mei Member")
        self.scan(fay, "the packet list of a facilitator")
        fay.locator("#shared-packets").get_by_role("link").first.click()
        expect(fay.locator("#status")).to_have_count(0)
        self.scan(fay, "the packet page as a reader")
        field(fay, "Your feedback").fill("Say more about *who decided*.")
        fay.get_by_role("button", name="Send feedback").click()
        expect(fay.locator("#feedback")).to_contain_text("Say more about who decided.")

        mei.reload()
        expect(mei.locator("#feedback")).to_contain_text("Say more about who decided.")
        mei.get_by_role("link", name="Stop sharing").click()
        self.scan(mei, "stop sharing")
        mei.get_by_role("button", name="Stop sharing").click()
        expect(mei.locator("#sharing")).to_contain_text("Only you can read it.")
        response = fay.goto(self.url(packet.get_absolute_url()))
        assert response is not None and response.status == 404
        # The refused share (400) and the reader's page after unsharing (404), on purpose.
        self.findings = [f for f in self.findings if "status of 400" not in f and "404" not in f]
        assert not self.findings, "\n".join(self.findings)
