"""(B) A packet's parts in a real browser, with an axe scan and a CSP watch on every page:
Mei picks artifacts from her evidence (filtered by competency), reorders them, edits an
annotation, assembles her professional development list, and sees the readiness checklist
change as she goes. Preconditions are made with the services; each step is a click."""

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


class TestPacketParts(browser.BrowserTestCase):
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

    def build(self) -> Any:
        """Mei, in a cohort that met twice (she came once), with three entries citing links
        for PAR-1 (two) and PAR-2 (one), and a partnerships packet."""
        import datetime as dt

        from django.utils import timezone

        from cohorts.models import Membership
        from cohorts.services import attendance_record, session_create
        from competencies.models import Area
        from journals.services import EntryInput, EvidenceInput, entry_create, evidence_add
        from packets.services.packets import packet_create

        framework = import_framework()
        fay = self.make_user("fay@example.org", name="Fay Facilitator")
        rae = make_staff(self, "rae@example.org", "Rae Reviewer")
        mei = self.make_user("mei@example.org", name="Mei Member")
        home = approved_cohort(by=fay, staff=rae, title="Partnerships circle")
        seat(home, mei, fay)
        Membership.objects.filter(cohort=home, user=mei).update(
            decided_at=timezone.now() - dt.timedelta(days=60)
        )
        for days, status in ((-20, "present"), (-6, "absent")):
            start = (timezone.now() + dt.timedelta(days=days)).replace(second=0, microsecond=0)
            session = session_create(
                cohort=home, by=fay, title=f"Meeting {days}", starts_at=start,
                ends_at=start + dt.timedelta(hours=1),
            )  # fmt: skip
            attendance_record(session=session, by=fay, statuses={mei.pk: status})
        for title, code, note in (
            ("Co-planning the food drive", "PAR-1", "Partners set the agenda."),
            ("Reciprocity check-in", "PAR-1", "We asked what they got out of it."),
            ("Shared power", "PAR-2", "The board meeting they chaired."),
        ):
            entry = entry_create(author=mei, data=EntryInput(title=title))
            evidence_add(
                entry=entry,
                by=mei,
                data=EvidenceInput(
                    kind="url", url=f"https://example.org/{code.lower()}-{len(title)}",
                    label=title, annotation=note, competency=code,
                ),
            )  # fmt: skip
        area = Area.objects.get(framework=framework, slug="partnerships")
        return packet_create(owner=mei, area=area, period=None)

    def test_pick_reorder_annotate_and_see_readiness_change(self) -> None:
        from packets.models import Artifact, DevelopmentItem

        packet = self.build()
        page = self.watched_page()
        self.sign_in(page, "mei@example.org")
        page.goto(self.url(packet.get_absolute_url()))
        readiness = page.locator("#readiness")
        expect(readiness.get_by_role("heading", level=2)).to_contain_text("(0 of 14 done)")
        expect(page.locator("#check-artifacts-PAR-1")).to_contain_text("Missing")
        expect(page.locator("#check-artifacts-PAR-1")).to_contain_text("0 of 2")
        self.scan(page, "the packet page, empty")

        # Fix the PAR-1 gap from its own link: the picker opens filtered to PAR-1.
        page.locator("#check-artifacts-PAR-1").get_by_role("link", name=re.compile("^Fix")).click()
        expect(page.get_by_role("heading", name="Pick artifacts from my evidence")).to_be_visible()
        expect(page.locator(".artifact-choices > li")).to_have_count(2)
        self.scan(page, "pick artifacts, filtered")
        page.get_by_role("button", name=re.compile("Co-planning the food drive")).click()
        expect(page.get_by_text("In the packet")).to_have_count(1)
        page.get_by_role("button", name=re.compile("Reciprocity check-in")).click()
        expect(page.get_by_text("In the packet")).to_have_count(2)
        # Show everything, and add the PAR-2 one too.
        field(page, "Competency").select_option("")
        page.get_by_role("button", name="Filter").click()
        expect(page.locator(".artifact-choices > li")).to_have_count(3)
        page.get_by_role("button", name=re.compile("Shared power")).click()
        expect(page.get_by_text("In the packet")).to_have_count(3)
        self.scan(page, "pick artifacts, all picked")

        page.get_by_role("link", name=re.compile("^Back to the packet")).click()
        expect(page.locator("#check-artifacts-PAR-1")).to_contain_text("Done")
        expect(page.locator("#check-artifacts-PAR-2")).to_contain_text("1 of 2")
        expect(readiness.get_by_role("heading", level=2)).to_contain_text("(1 of 14 done)")
        items = page.locator(".artifact-list > li")
        expect(items).to_have_count(3)
        expect(items.first).to_contain_text("Co-planning the food drive")

        # Reorder: the last one up, twice; it is first, and stays first on reload.
        items.nth(2).get_by_role("button", name=re.compile("^Move up")).click()
        page.locator(".artifact-list > li").nth(1).get_by_role(
            "button", name=re.compile("^Move up")
        ).click()
        expect(page.locator(".artifact-list > li").first).to_contain_text("Shared power")
        page.reload()
        expect(page.locator(".artifact-list > li").first).to_contain_text("Shared power")
        titles = list(
            Artifact.objects.filter(packet=packet)
            .order_by("order")
            .values_list("evidence__label", flat=True)
        )
        assert titles == ["Shared power", "Co-planning the food drive", "Reciprocity check-in"]

        # Edit the first: it shows PAR-3 as well now, so that check moves to 1 of 2.
        page.locator(".artifact-list > li").first.get_by_role(
            "link", name=re.compile("^Edit")
        ).click()
        self.scan(page, "edit an artifact")
        field(page, "Annotation").fill("The board meeting our partners chaired, with minutes.")
        page.get_by_label(re.compile("^PAR-3 ")).check()
        page.get_by_role("button", name="Save").click()
        expect(page.locator(".artifact-list > li").first).to_contain_text("with minutes")
        expect(page.locator("#check-artifacts-PAR-3")).to_contain_text("1 of 2")

        # The development list: empty, then assembled from the cohort.
        expect(page.locator("#check-development")).to_contain_text("Missing")
        page.get_by_role("button", name="Assemble from my cohorts and trainings").click()
        expect(page.get_by_text("1 of 2 sessions attended")).to_be_visible()
        self.scan(page, "the development list")
        page.get_by_role("link", name="Add a line").click()
        self.scan(page, "add a development line")
        field(page, "Title").fill("Regional engagement conference")
        field(page, "Organiser").fill("State Compact")
        page.get_by_role("button", name="Add the line").click()
        expect(page.locator(".development-list > li")).to_have_count(2)
        page.get_by_role("link", name=re.compile("^Back to the packet")).click()
        expect(page.locator("#check-development")).to_contain_text("Done")
        expect(page.locator("#development")).to_contain_text("Regional engagement conference")
        expect(readiness.get_by_role("heading", level=2)).to_contain_text("(2 of 14 done)")
        self.scan(page, "the packet page, partly done")
        assert DevelopmentItem.objects.filter(packet=packet).count() == 2

        assert not self.findings, "\n".join(self.findings)
