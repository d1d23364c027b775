"""The thread page without reloads: Quote fills and focuses the reply box, "is typing" ends
when that person's post arrives, reacting updates the chips (spoken summary and tooltip
included) in both browsers, and the preview is the server's rendering. The cohort home
shows the latest threads with unread marks. Axe scans at desktop and phone sizes."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e import test_cohort_accessibility as cohort_pages
from tests.e2e.browser import field
from tests.e2e.test_discussions_live import THREAD_TITLE, ThreadPageCase, build_thread

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


class TestThreadInPlace(ThreadPageCase):
    watched_page = cohort_pages.TestCohortAccessibility.watched_page
    scan = cohort_pages.TestCohortAccessibility.scan
    axe = cohort_pages.TestCohortAccessibility.axe

    def setUp(self) -> None:
        super().setUp()
        self.findings: list[str] = []

    def scan_both_sizes(self, page: Any, label: str) -> None:
        self.scan(page, f"{label} (desktop)")
        size = page.viewport_size
        page.set_viewport_size(PHONE)
        self.scan(page, f"{label} (phone)")
        page.set_viewport_size(size)

    def open_watched(self, email_address: str, world: dict[str, Any]) -> Any:
        """As open_thread, with CSP violations and console errors recorded."""
        page = self.watched_page()
        self.sign_in(page, email_address)
        page.goto(self.url(world["path"]))
        expect(page.get_by_role("heading", level=1)).to_have_text(THREAD_TITLE)
        self.wait_live(page)
        page.evaluate("() => { window.__sameDocument = true; }")
        return page

    def test_quote_typing_reactions_and_preview_work_in_place(self) -> None:
        world = build_thread(self)
        ana = self.open_watched("ana@example.org", world)
        ben = self.open_thread("ben@example.org", world)

        # Ben types: Ana sees it; Ben's post arrives: the typing line clears at once.
        box = field(ben, "Your reply")
        box.click()
        box.press_sequentially("Listening first ")
        expect(ana.locator("#typing")).to_have_text("Ben Reader is typing…")
        box.press_sequentially("made the difference.")
        ben.get_by_role("button", name="Post reply").click()
        reply = self.post(ana, "Listening first made the difference.")
        expect(reply).to_have_count(1)
        expect(ana.locator("#typing")).to_have_text("", timeout=1500)

        # Quote: the reply box, focused, with the quote in it, in the same document.
        reply.get_by_role("link", name="Quote").click()
        reply_box = field(ana, "Your reply")
        expect(reply_box).to_have_value(
            re.compile(
                r"^> \*\*Ben Reader\*\* wrote:\n> Listening first made the difference\.\n\n$"
            )
        )
        expect(reply_box).to_be_focused()
        expect(ana.locator(".composer__replying")).to_contain_text("Replying to Ben Reader")

        # Preview: the server's rendering of the quote.
        ana.get_by_role("button", name="Preview").click()
        expect(ana.locator("#composer-preview blockquote")).to_contain_text("Listening first")
        self.scan_both_sizes(ana, "thread (preview shown)")
        ana.get_by_role("button", name="Edit").click()
        expect(reply_box).to_be_visible()

        # Reacting: no navigation; the chip carries its summary; Ben sees the count live.
        reply.locator(".reaction-picker summary").click()
        reply.get_by_role("button", name="Thanks").click()
        chip = reply.locator("button.reaction[data-kind=thanks]")
        expect(chip).to_have_attribute("aria-pressed", "true")
        expect(chip).to_have_attribute("title", "Thanks, you")
        expect(chip.locator(".reaction__count")).to_have_text("1")
        expect(reply.locator(".reaction-picker")).to_have_count(1)
        ben_chip = self.post(ben, "Listening first made the difference.").locator(
            ".reaction[data-kind=thanks]"
        )
        expect(ben_chip.locator(".reaction__count")).to_have_text("1")
        expect(ben_chip).to_have_attribute("title", "Thanks, 1 person")
        # Taking it back moves it into the picker again.
        chip.click()
        expect(reply.locator(".reaction-picker .reaction[data-kind=thanks]")).to_have_count(1)
        assert self.same_document(ana) and self.same_document(ben), "a page was reloaded"
        assert self.findings == [], "\n".join(self.findings)

    def test_the_cohort_home_shows_the_latest_threads_with_unread_marks(self) -> None:
        world = build_thread(self)
        ana = self.watched_page()
        self.sign_in(ana, "ana@example.org")
        ana.goto(self.url(f"/cohorts/{world['cohort'].slug}/"))
        card = ana.locator("section[aria-labelledby=discussions-h]")
        expect(card.get_by_role("link", name=THREAD_TITLE)).to_be_visible()
        expect(card.locator(".badge--unread")).to_contain_text("1")
        activity = ana.locator("section[aria-labelledby=activity-h]")
        expect(activity).to_contain_text(f"Fay Facilitator posted in “{THREAD_TITLE}”")
        expect(activity).not_to_contain_text("Became")
        self.scan_both_sizes(ana, "cohort home")
        assert self.findings == [], "\n".join(self.findings)
