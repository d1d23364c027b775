"""axe-core scans and the strict CSP on the discussion pages, with real content on them.

A cohort with a busy thread (a reply, a quote-reply, reactions, an edited post with its
history) is set up with the services; the pages are then opened as a member and as the
facilitator: the thread list, the thread page (live, with thread.js running), the new-thread
form, the edit page (also showing a stale-version conflict with both texts), the history page,
search and the notification settings. Every page must have no serious or critical axe finding
and raise no CSP violation, console error or page error.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e import browser
from tests.e2e import test_cohort_accessibility as cohort_pages
from tests.e2e.browser import field
from tests.e2e.test_discussions_live import THREAD_TITLE, _build_thread, off_the_loop

pytestmark = pytest.mark.e2e

REPLY = "Our partner school **co-wrote** the agenda. Thanks @fay-facilitator for the nudge."
REPLY_EDITED = REPLY + "\n\nEdit: and the students chaired the second half."
QUOTE_REPLY = "Yes! Listening first made all the difference for us too."
QUOTE_REPLY_START = re.compile(r"^> \*\*Ben Reader\*\* wrote:\n")


def _build_busy_thread(case: browser.BrowserTestCase) -> dict[str, Any]:
    from discussions import services as discussions

    world = _build_thread(case)
    thread, fay, ana, ben = world["thread"], world["fay"], world["ana"], world["ben"]
    reply, _ = discussions.post_create(thread=thread, author=ana, body=REPLY)
    quoted = "\n".join(f"> {line}" if line else ">" for line in REPLY.splitlines())
    quote_reply, _ = discussions.post_create(
        thread=thread,
        author=ben,
        body=f"> **Ana Author** wrote:\n{quoted}\n\n{QUOTE_REPLY}",
        reply_to=reply,
    )
    discussions.reaction_toggle(post=reply, user=ben, kind="thanks")
    discussions.reaction_toggle(post=reply, user=fay, kind="thanks")
    discussions.reaction_toggle(post=quote_reply, user=ana, kind="agree")
    reply = discussions.post_edit(post=reply, by=ana, body=REPLY_EDITED, version=reply.version)
    # A second thread, so the list has more than one row (one of them unread for Ana).
    discussions.thread_create(
        cohort=world["cohort"], author=ben, title="Reading for session two", body="Chapter 3?"
    )
    return {**world, "reply": reply, "quote_reply": quote_reply}


class TestDiscussionsAccessibility(browser.BrowserTestCase):
    # The same watching and scanning as the cohort pages (console errors, CSP, axe).
    axe = cohort_pages.TestCohortAccessibility.axe
    watched_page = cohort_pages.TestCohortAccessibility.watched_page
    check = cohort_pages.TestCohortAccessibility.check
    scan = cohort_pages.TestCohortAccessibility.scan

    def setUp(self) -> None:
        super().setUp()
        self.findings: list[str] = []

    def test_member_pages(self) -> None:
        world = off_the_loop(_build_busy_thread, self)
        slug, reply = world["cohort"].slug, world["reply"]
        threads = f"/cohorts/{slug}/threads/"
        thread_path = world["path"]

        ana = self.watched_page()
        self.sign_in(ana, "ana@example.org")
        self.check(ana, threads, "Discussions")
        # Ben's quote-reply came after Ana's post, and Ben's thread is new to her.
        expect(ana.get_by_role("link", name=f"1 unread in {THREAD_TITLE}")).to_be_visible()
        expect(ana.get_by_role("link", name="1 unread in Reading for session two")).to_be_visible()

        self.check(ana, thread_path, THREAD_TITLE)
        expect(ana.locator("#posts")).to_have_attribute("data-live", "on")
        shown = ana.locator(f"#post-{world['quote_reply'].pk}")
        expect(shown.locator("blockquote")).to_contain_text("co-wrote")
        # A quote says what it answers: no "In reply to" line besides it.
        expect(shown.locator(".post__reply-to")).to_have_count(0)
        expect(ana.locator(f"#post-{reply.pk}").get_by_role("link", name="edited")).to_be_visible()
        expect(ana.locator(f"#post-{reply.pk} .reaction[data-kind=thanks]")).to_contain_text("2")
        # The reaction picker open, and a quote-reply started in the composer.
        ana.locator(f"#post-{reply.pk} .reaction-picker summary").click()
        self.scan(ana, f"{thread_path} (reaction picker open)")
        ana.locator(f"#post-{world['quote_reply'].pk}").get_by_role("link", name="Quote").click()
        expect(field(ana, "Your reply")).to_have_value(QUOTE_REPLY_START)
        expect(ana.locator(".composer__replying")).to_contain_text("Replying to Ben Reader")
        self.scan(ana, f"{thread_path}?quote (replying)")

        self.check(ana, f"{threads}new/", "Start a thread")
        ana.get_by_role("button", name="Start the thread").click()
        expect(ana.locator(".form").first).to_be_visible()
        self.scan(ana, f"{threads}new/ (submitted empty)")

        edit = f"{thread_path}posts/{reply.pk}/edit/"
        self.check(ana, edit, "Edit your post")
        self.check(ana, f"{thread_path}posts/{reply.pk}/history/", "History of Ana Author")
        expect(ana.get_by_role("heading", name="Version 1, replaced")).to_be_visible()

        self.check(ana, "/search/?q=agenda", "Search")
        expect(ana.locator(".search-result").first).to_be_visible()
        self.check(ana, "/search/?q=nothingmatchesthis", "Search")
        self.check(ana, "/accounts/notifications/settings/", "Notification settings")
        assert self.findings == [], "\n".join(self.findings)

    def test_stale_edit_conflict_and_facilitator_view(self) -> None:
        from discussions import services as discussions

        world = off_the_loop(_build_busy_thread, self)
        reply = world["reply"]
        edit = f"{world['path']}posts/{reply.pk}/edit/"

        ana = self.watched_page()
        self.sign_in(ana, "ana@example.org")
        self.check(ana, edit, "Edit your post")
        # Meanwhile the same post is changed elsewhere (another tab, say).
        off_the_loop(
            discussions.post_edit,
            post=reply,
            by=world["ana"],
            body="Changed in another tab.",
            version=reply.version,
        )
        mine = "My version, written while the other tab saved."
        field(ana, "Text").fill(mine)
        writes: list[Any] = []
        ana.on("request", lambda r: writes.append((r.method, r.url)) if r.method != "GET" else None)
        ana.get_by_role("button", name="Save").click()
        conflict = ana.get_by_role("region", name="This post changed while you were editing")
        expect(conflict).to_be_visible()
        expect(ana.locator("#stale-current")).to_have_text("Changed in another tab.")
        expect(ana.locator("#stale-yours")).to_have_text(mine)
        expect(ana.get_by_role("alert")).to_be_visible()
        # The edit went through the REST API with the version it started from.
        assert writes == [("PATCH", self.url(f"/api/v1/posts/{reply.pk}/"))], writes
        self.scan(ana, f"{edit} (stale version)")
        # The conflict page answers 409 on purpose; Chromium logs any 4xx document as a
        # console error. That one line is expected, anything else is still a finding.
        expected = f"{self.url(edit)}: console error: Failed to load resource: the server "
        expected += "responded with a status of 409 (Conflict)"
        assert expected in self.findings, self.findings
        self.findings.remove(expected)

        fay = self.watched_page()
        self.sign_in(fay, "fay@example.org")
        self.check(fay, world["path"], THREAD_TITLE)
        expect(fay.get_by_role("button", name="Pin")).to_be_visible()
        expect(fay.get_by_role("button", name="Hide").first).to_be_visible()
        assert self.findings == [], "\n".join(self.findings)
