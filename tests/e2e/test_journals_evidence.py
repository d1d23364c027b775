"""Evidence on journal entries in a real browser, with an axe scan and a CSP watch on every
page: a member uses a resource as evidence from its page (adding it to an entry she already
has), cites one of her posts through the picker, edits an annotation, reorders and removes
evidence; a co-member reads the shared entry and sees, for an item only the author may
open, its kind and annotation but never its title. The same flow works without JavaScript.

Preconditions only are made with the services (accounts, two cohorts, a resource, posts, an
entry); every step a person takes is a click or a keystroke.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e import browser
from tests.e2e.browser import field
from tests.e2e.test_accessibility import BLOCKING_IMPACTS, describe
from tests.e2e.test_cohort_journeys import approved_cohort, import_framework, make_staff, seat
from tests.e2e.test_content_security_policy import RECORD_VIOLATIONS

pytestmark = pytest.mark.e2e

SECRET_TITLE = "Closed circle field notes"


class TestEvidenceJourney(browser.BrowserTestCase):
    axe = Axe()

    def setUp(self) -> None:
        super().setUp()
        self.findings: list[str] = []

    def watched_page(self, **options: Any) -> Any:
        page = self.new_page(**options)
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

    def build(self) -> dict[str, Any]:
        """Mei belongs to a cohort with Ben and to a second one Ben is not in; she has an
        entry shared with the first, and posts in both."""
        from discussions.services import post_create, thread_create
        from journals.services import EntryInput, entry_create
        from resources.services import ResourceInput, resource_create

        import_framework()
        fay = self.make_user("fay@example.org", name="Fay Facilitator")
        olu = self.make_user("olu@example.org", name="Olu Otherfac")
        rae = make_staff(self, "rae@example.org", "Rae Reviewer")
        mei = self.make_user("mei@example.org", name="Mei Member")
        ben = self.make_user("ben@example.org", name="Ben Reader")
        home = approved_cohort(by=fay, staff=rae, title="Partnerships circle")
        other = approved_cohort(by=olu, staff=rae, title="Closed circle")
        seat(home, mei, fay)
        seat(home, ben, fay)
        seat(other, mei, olu)
        resource = resource_create(
            cohort=home,
            by=ben,
            kind="link",
            data=ResourceInput(title="Partnership agreement template", url="https://example.org/"),
        )
        secret = resource_create(
            cohort=other,
            by=mei,
            kind="link",
            data=ResourceInput(title=SECRET_TITLE, url="https://example.org/closed"),
        )
        thread = thread_create(cohort=home, author=fay, title="Week one", body="Hello all.")
        post, _ = post_create(thread=thread, author=mei, body="We asked partners first.")
        entry = entry_create(
            author=mei,
            data=EntryInput(title="Listening before planning", cohort=home),
            visibility="cohort",
        )
        return {
            "resource": resource,
            "secret": secret,
            "post": post,
            "thread": thread,
            "entry": entry,
        }

    def test_use_cite_edit_reorder_and_read(self) -> None:
        from journals.models import Evidence
        from journals.services import EvidenceInput, evidence_add

        world = self.build()
        entry = world["entry"]
        page = self.watched_page()
        self.sign_in(page, "mei@example.org")

        # From the resource's page: use it as evidence, in the entry she already has.
        page.goto(self.url(world["resource"].get_absolute_url()))
        page.get_by_role("link", name="Use as evidence").click()
        expect(page.get_by_role("heading", name="Use as evidence", level=1)).to_be_visible()
        self.scan(page, "use as evidence")
        field(page, "Your entry").select_option(str(entry.pk))
        field(page, "What it shows").fill("The template we adapted with the food bank.")
        page.get_by_role("button", name="Add as evidence").click()
        page.wait_for_url(re.compile(rf"/journal/entries/{entry.pk}/"))
        evidence = page.locator("#evidence")
        expect(evidence).to_contain_text("Partnership agreement template")
        expect(evidence).to_contain_text("The template we adapted with the food bank.")
        self.scan(page, "the entry with one piece of evidence")

        # Through the picker: one of her posts.
        page.get_by_role("link", name="Add evidence").click()
        self.scan(page, "add evidence: what kind")
        page.get_by_label("Discussion post").check()
        page.get_by_role("button", name="Next").click()
        self.scan(page, "add evidence: pick a post")
        field(page, "Your post").select_option(str(world["post"].pk))
        field(page, "What it shows").fill("Where I asked before planning.")
        page.get_by_role("button", name="Add evidence").click()
        expect(page.locator("#evidence")).to_contain_text("Where I asked before planning.")

        # A blank link is refused on the form, keeping the annotation.
        page.get_by_role("link", name="Add evidence").click()
        page.get_by_label("Web link").check()
        page.get_by_role("button", name="Next").click()
        field(page, "What it shows").fill("Our report to partners.")
        field(page, "Address").fill("javascript:alert(1)")
        page.get_by_role("button", name="Add evidence").click()
        expect(page.get_by_text("http://")).to_be_visible()
        expect(field(page, "What it shows")).to_have_value("Our report to partners.")
        expected = [f for f in self.findings if "status of 400 (Bad Request)" in f]
        self.findings = [f for f in self.findings if f not in expected]
        self.scan(page, "add evidence: a refused link")

        # Edit the second item's annotation; move it up; remove the first.
        page.goto(self.url(entry.get_absolute_url()))
        items = page.locator(".evidence-item")
        items.nth(1).get_by_role("link", name=re.compile("^Edit")).click()
        self.scan(page, "edit evidence")
        field(page, "What it shows").fill("Where I first asked partners what they need.")
        page.get_by_role("button", name="Save").click()
        expect(page.locator("#evidence")).to_contain_text("Where I first asked partners")
        page.locator(".evidence-item").nth(1).get_by_role(
            "button", name=re.compile("^Move up")
        ).click()
        expect(page.locator(".evidence-item").first).to_contain_text("We asked partners first")
        page.locator(".evidence-item").nth(1).get_by_role(
            "button", name=re.compile("^Remove")
        ).click()
        expect(page.locator(".evidence-item")).to_have_count(1)
        assert list(Evidence.objects.filter(entry=entry).values_list("kind", flat=True)) == ["post"]

        # Something only Mei may open, as Ben reads the shared entry.
        evidence_add(
            entry=entry,
            by=entry.author,
            data=EvidenceInput(
                kind="resource", target=world["secret"].pk, annotation="Notes from the circle."
            ),
        )
        reader = self.watched_page()
        self.sign_in(reader, "ben@example.org")
        reader.goto(self.url(entry.get_absolute_url()))
        shown = reader.locator("#evidence")
        expect(shown).to_contain_text("A resource you cannot see")
        expect(shown).to_contain_text("Notes from the circle.")
        expect(shown).not_to_contain_text(SECRET_TITLE)
        expect(reader.get_by_role("link", name="Add evidence")).to_have_count(0)
        self.scan(reader, "a reader's view of the evidence")

        assert not self.findings, "\n".join(self.findings)

    def test_works_without_javascript(self) -> None:
        from journals.models import Evidence

        world = self.build()
        entry = world["entry"]
        page = self.watched_page(java_script_enabled=False)
        self.sign_in(page, "mei@example.org")
        page.goto(self.url(f"/journal/entries/{entry.pk}/evidence/"))
        page.get_by_label("Resource", exact=True).check()
        page.get_by_role("button", name="Next").click()
        field(page, "Find a resource by its title").fill("agreement")
        page.get_by_role("button", name="Find").click()
        field(page, "Resource").select_option(str(world["resource"].pk))
        page.get_by_role("button", name="Add evidence").click()
        page.wait_for_url(re.compile(rf"/journal/entries/{entry.pk}/"))
        assert Evidence.objects.get(entry=entry).resource_id == world["resource"].pk
