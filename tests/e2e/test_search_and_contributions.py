"""Search is findable and nothing promised is missing, in Chromium: the header's search box
finds a post and shows its text (not its Markdown), the filters narrow to my own posts, the
thread list has an Unread view, and "My contributions" lists my posts. Every page is
axe-scanned at desktop and phone (390x844) sizes."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e import browser
from tests.e2e import test_cohort_accessibility as cohort_pages
from tests.e2e.test_discussions_accessibility import QUOTE_REPLY, _build_busy_thread
from tests.e2e.test_discussions_live import THREAD_TITLE, off_the_loop

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


class TestSearchAndContributions(browser.BrowserTestCase):
    axe = cohort_pages.TestCohortAccessibility.axe
    watched_page = cohort_pages.TestCohortAccessibility.watched_page
    check = cohort_pages.TestCohortAccessibility.check
    scan = cohort_pages.TestCohortAccessibility.scan

    def setUp(self) -> None:
        super().setUp()
        self.findings: list[str] = []

    def both_sizes(self, page: Any, label: str) -> None:
        self.scan(page, f"{label} (desktop)")
        page.set_viewport_size(PHONE)
        self.scan(page, f"{label} (phone)")
        page.set_viewport_size({"width": 1280, "height": 800})

    def test_header_search_finds_a_post_as_text_and_my_contributions_list_it(self) -> None:
        world = off_the_loop(_build_busy_thread, self)
        slug, quote_reply = world["cohort"].slug, world["quote_reply"]

        ben = self.watched_page()
        self.sign_in(ben, "ben@example.org")
        self.check(ben, "/dashboard/", "Welcome")
        header = ben.locator("header.site-header")
        box = header.get_by_role("searchbox", name="Search discussions")
        box.fill("listening")
        box.press("Enter")
        expect(ben).to_have_url(self.url("/search/?q=listening"))
        result = ben.locator(".search-result").filter(has_text=QUOTE_REPLY[:20])
        expect(result).to_have_count(1)
        snippet = result.locator(".search-result__snippet")
        expect(snippet.locator("mark")).to_have_text("Listening")
        # The quote's attribution reads as text (each engine picks its own excerpt window,
        # so PostgreSQL may start it mid-name).
        expect(snippet).to_contain_text("Author wrote:")
        for markdown in ("**", "> ", "](", "wrote:\n"):
            assert markdown not in snippet.inner_text(), snippet.inner_text()
        self.both_sizes(ben, "/search/?q=listening")

        # "Only my posts": Ana's first-post words are found, then filtered away for Ben.
        box = header.get_by_role("searchbox", name="Search discussions")
        box.fill("agenda")
        box.press("Enter")
        expect(ben.locator(".search-result").first).to_be_visible()
        ben.get_by_label("Only my posts and threads").check()
        ben.get_by_role("combobox", name="In").select_option(label="Partnerships circle")
        ben.locator("main").get_by_role("button", name="Search").click()
        expect(ben.locator(".search-result").filter(has_text=QUOTE_REPLY[:20])).to_have_count(1)
        expect(ben.locator(".search-result")).to_have_count(1)
        expect(ben.get_by_label("Only my posts and threads")).to_be_checked()

        ben.locator(".search-result a").first.click()
        expect(ben.locator(f"#post-{quote_reply.pk}")).to_be_visible()

        # The thread list's Unread view: Ben has read his thread, not Fay's new ones.
        self.check(ben, f"/cohorts/{slug}/threads/", "Discussions")
        ben.get_by_role("navigation", name="Which threads").get_by_role(
            "link", name="Unread", exact=True
        ).click()
        expect(ben.get_by_role("link", name="Unread", exact=True)).to_have_attribute(
            "aria-current", "page"
        )
        expect(ben.locator(".thread-row")).to_have_count(0)
        expect(ben.locator(".empty")).to_contain_text("Nothing unread")
        self.both_sizes(ben, f"/cohorts/{slug}/threads/?show=unread")

        # My contributions, from the header; the header's Trainings link is the real catalog.
        expect(header.get_by_role("link", name="Trainings")).to_have_attribute(
            "href", "/trainings/"
        )
        header.get_by_role("link", name="My contributions").click()
        expect(ben.get_by_role("heading", level=1)).to_have_text("My contributions")
        mine = ben.get_by_role("region", name="Posts")
        expect(mine.get_by_role("link", name=THREAD_TITLE)).to_be_visible()
        self.both_sizes(ben, "/dashboard/contributions/")
        assert self.findings == [], "\n".join(self.findings)
