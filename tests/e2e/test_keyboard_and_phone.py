"""Keyboard and phone use of the thread page and the facilitator console, in real Chromium
at 390x844: the header folds behind a menu button, tap targets are big enough (measured with
the browser's layout), focus follows a new post and the next join request, every button says
what it acts on, and axe finds nothing blocking on a phone."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e import browser
from tests.e2e import test_cohort_accessibility as cohort_pages
from tests.e2e.test_discussions_live import _build_thread, off_the_loop

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}

# Every visible control but inline links in running text (WCAG 2.5.8 exempts those) and the
# skip links, which sit off screen until focused.
CONTROL_SIZES = """() => Array.from(
    document.querySelectorAll("a[href], button, summary, select, input:not([type=hidden])"))
  .filter((el) => el.offsetParent !== null
    && !el.closest("p, .prose, .skip-link, .visually-hidden"))
  .map((el) => { const r = el.getBoundingClientRect();
    const name = (el.innerText || el.value || el.tagName).trim().slice(0, 40);
    return { name, width: r.width, height: r.height }; })"""


def _build(case: browser.BrowserTestCase) -> dict[str, Any]:
    from cohorts import services as cohorts

    world = _build_thread(case)
    for email, name in (("aisha@example.org", "Aisha Rahman"), ("bo@example.org", "Bo Chen")):
        person = case.make_user(email, name=name)
        cohorts.membership_join(cohort=world["cohort"], user=person, message="May I join?")
    return world


class TestKeyboardAndPhone(browser.BrowserTestCase):
    axe = cohort_pages.TestCohortAccessibility.axe
    watched_page = cohort_pages.TestCohortAccessibility.watched_page
    scan = cohort_pages.TestCohortAccessibility.scan

    def setUp(self) -> None:
        super().setUp()
        self.findings: list[str] = []

    def test_thread_and_console_on_a_phone_by_keyboard(self) -> None:
        world = off_the_loop(_build, self)
        ana = self.watched_page()
        ana.set_viewport_size(PHONE)
        self.sign_in(ana, "ana@example.org")
        ana.goto(self.url(world["path"]))

        # The header folds behind a menu button that opens with the keyboard.
        header = ana.locator(".site-header")
        assert header.bounding_box()["height"] <= 64, header.bounding_box()
        menu = ana.get_by_role("button", name="Menu")
        expect(menu).to_have_attribute("aria-expanded", "false")
        expect(ana.get_by_role("link", name="Dashboard")).to_be_hidden()
        menu.focus()
        ana.keyboard.press("Enter")
        expect(menu).to_have_attribute("aria-expanded", "true")
        main_nav = ana.get_by_role("navigation", name="Main")
        expect(main_nav.get_by_role("link", name="Dashboard")).to_be_visible()
        ana.keyboard.press("Enter")
        expect(menu).to_have_attribute("aria-expanded", "false")

        # Buttons say what they act on; the main actions are 44 px, every control 24 px.
        expect(ana.get_by_role("link", name="Reply to Fay Facilitator")).to_be_visible()
        expect(ana.get_by_role("link", name="Quote Fay Facilitator")).to_be_visible()
        for control in (
            ana.get_by_role("link", name="Reply to Fay Facilitator"),
            ana.get_by_role("link", name="Quote Fay Facilitator"),
            ana.get_by_role("button", name="Post reply"),
        ):
            box = control.bounding_box()
            assert box["height"] >= 44 and box["width"] >= 44, box
        small = [c for c in ana.evaluate(CONTROL_SIZES) if c["width"] < 24 or c["height"] < 24]
        assert small == []

        # A skip link leads to the reply box.
        ana.keyboard.press("Home")
        skip = ana.get_by_role("link", name="Skip to reply")
        skip.focus()
        ana.keyboard.press("Enter")
        expect(ana.locator("#composer")).to_be_focused()
        self.scan(ana, "thread at 390x844")

        # After posting (with JavaScript), focus lands on the new post.
        ana.locator("#composer textarea").fill("Listening first helped us.")
        ana.get_by_role("button", name="Post reply").click()
        new_post = ana.locator(".post", has_text="Listening first helped us.")
        expect(new_post).to_be_focused()

        # Posting through the plain form (thread.js not loaded): the redirect's #post-N
        # fragment takes focus there too.
        plain = self.new_page()
        plain.set_viewport_size(PHONE)
        self.sign_in(plain, "ben@example.org")
        plain.route(
            "**/static/js/thread.js",
            lambda route: route.fulfill(body="", content_type="text/javascript"),
        )
        plain.goto(self.url(world["path"]))
        plain.locator("#composer textarea").fill("Our partner chaired it.")
        plain.get_by_role("button", name="Post reply").click()
        expect(plain.locator(".post", has_text="Our partner chaired it.")).to_be_focused()

        # The console: named buttons; after accepting, focus moves to the next request.
        fay = self.watched_page()
        fay.set_viewport_size(PHONE)
        self.sign_in(fay, "fay@example.org")
        console = f"/cohorts/{world['cohort'].slug}/console/"
        fay.goto(self.url(console))
        self.scan(fay, "console at 390x844")
        fay.get_by_role("button", name="Accept Aisha Rahman").click()
        expect(fay.get_by_role("listitem", name="Request from Bo Chen")).to_be_focused()
        expect(fay.get_by_role("button", name="Decline Bo Chen")).to_be_visible()
        assert self.findings == []
