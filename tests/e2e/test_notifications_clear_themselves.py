"""Notifications in Chromium: opening one from the inbox marks it read (the header count
drops by one), a notification arriving live raises the header count without a reload, and
marking one read in another tab lowers it there too. The inbox gets an axe scan at desktop
and phone sizes."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e import test_cohort_accessibility as cohort_pages
from tests.e2e.test_content_security_policy import RECORD_VIOLATIONS
from tests.e2e.test_discussions_live import ThreadPageCase, build_thread

pytestmark = pytest.mark.e2e

INBOX = "/accounts/notifications/"
MENTION = "Thanks @ana-author, your partner list helped."


class TestNotificationsClearThemselves(ThreadPageCase):
    axe = cohort_pages.TestCohortAccessibility.axe
    watched_page = cohort_pages.TestCohortAccessibility.watched_page
    check = cohort_pages.TestCohortAccessibility.check
    scan = cohort_pages.TestCohortAccessibility.scan

    def setUp(self) -> None:
        super().setUp()
        self.findings: list[str] = []

    def test_opening_reading_and_live_notifications_keep_the_header_count_true(self) -> None:
        world = build_thread(self)
        slug = world["cohort"].slug
        ana = self.watched_page()
        self.sign_in(ana, "ana@example.org")
        # Ana has two: her welcome to the cohort and Fay's new thread.
        self.check(ana, INBOX, "Notifications")
        count = ana.locator("#notifications-count")
        expect(count).to_have_text("2 unread")
        ana.set_viewport_size({"width": 390, "height": 844})
        self.scan(ana, f"{INBOX} (phone)")
        ana.set_viewport_size({"width": 1280, "height": 800})

        # Opening one from the inbox takes her there and marks it read.
        ana.get_by_role("button", name="Welcome to “Partnerships circle”", exact=True).click()
        expect(ana).to_have_url(re.compile(rf"/cohorts/{slug}/$"))
        expect(count).to_have_text("1 unread")
        self.wait_state(ana, "open")
        ana.evaluate("() => { window.__sameDocument = true; }")

        # Ben mentions her: her header count rises while she stays on the page.
        ben = self.open_thread("ben@example.org", world)
        self.write_and_post(ben, MENTION)
        expect(count).to_have_text("2 unread")
        assert self.same_document(ana), "the page reloaded"

        # She marks the mention read in another tab: this tab's count follows.
        other = ana.context.new_page()
        other.add_init_script(RECORD_VIOLATIONS)
        other.goto(self.url(INBOX))
        expect(other.locator("#notifications-count")).to_have_text("2 unread")
        other.get_by_role(
            "button", name=re.compile(r"^Mark as read: Ben Reader mentioned you")
        ).click()
        expect(other.locator("#notifications-count")).to_have_text("1 unread")
        expect(count).to_have_text("1 unread")
        assert self.same_document(ana), "the page reloaded"
        # Marked unread again from the inbox, it counts again everywhere.
        other.get_by_role(
            "button", name=re.compile(r"^Mark as unread: Ben Reader mentioned you")
        ).click()
        expect(count).to_have_text("2 unread")
        self.scan(other, f"{INBOX} (after marking read and unread)")
        assert self.findings == [], "\n".join(self.findings)
