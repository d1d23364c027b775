"""Every journal page in a real browser, with an axe scan, a CSP watch and the console
watched: as a member with a lived-in journal (entries shared and private, evidence of
several kinds, feedback, a prompt answered, a self-assessment taken twice, a deleted
entry), and as the cohort's facilitator. Each page is scanned at desktop width; the ones
people use most on the go (home, an entry, the editor, coverage) at phone width too. The
editor's conflict view is reached the way a person without JavaScript reaches it: a plain
submit based on a version someone else has since replaced.

Preconditions are made with the services; the conflict is made by a click.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e import browser
from tests.e2e.browser import field
from tests.e2e.test_accessibility import BLOCKING_IMPACTS, describe
from tests.e2e.test_cohort_journeys import approved_cohort, import_framework, make_staff, seat
from tests.e2e.test_content_security_policy import RECORD_VIOLATIONS
from tests.e2e.test_discussions_live import off_the_loop

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
SHARED_TITLE = "Listening before planning"
THEIR_TEXT = "Saved from my phone while this tab was open."
MY_TEXT = "Typed in this tab, based on the older version."


def save_elsewhere(entry_id: int, author: Any, body: str) -> None:
    """The author saves the entry from another device (a new version), through the
    service, off Playwright's loop so its live event goes out as from a request."""
    from journals.models import Entry
    from journals.services import EntryInput, entry_update

    def save() -> None:
        entry = Entry.objects.select_related("cohort", "prompt", "session").get(pk=entry_id)
        entry_update(
            entry=entry,
            by=author,
            data=EntryInput(
                title=entry.title,
                body=body,
                cohort=entry.cohort,
                prompt=entry.prompt,
                session=entry.session,
                competencies=["PAR-1", "PAR-2"],
                status="final",
            ),
            version=entry.version,
        )

    off_the_loop(save)


class TestJournalAccessibility(browser.BrowserTestCase):
    axe = Axe()

    def setUp(self) -> None:
        super().setUp()
        self.findings: list[str] = []
        self.scanned: list[str] = []

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
        self.scanned.append(label)

    def scan_answer(self, response: Any, label: str, **options: Any) -> Any:
        """Scan an answer the server gave to a browser without JavaScript, as it rendered
        it: axe needs JavaScript, which such a context cannot lend, so the answer is
        served again, unchanged but for its scripts dropped and its ``<noscript>`` parts
        shown, at the same address with the same headers (its CSP included)."""
        headers = {
            name: value
            for name, value in response.all_headers().items()
            if name in {"content-type", "content-security-policy", "x-content-type-options"}
        }
        assert "content-security-policy" in headers, label
        body = re.sub(r"<script\b[^>]*>.*?</script>", "", response.text(), flags=re.S)
        body = re.sub(r"</?noscript>", "", body)
        page = self.watched_page(**options)
        page.route(
            response.url,
            lambda route: route.fulfill(status=response.status, headers=headers, body=body),
            times=1,
        )
        page.goto(response.url)
        self.scan(page, label)
        return page

    def visit(self, page: Any, path: str, label: str, *, phone: bool = False) -> None:
        """Open ``path`` (it must answer 200 with one h1) and scan it at desktop width, and
        at phone width too when ``phone``."""
        response = page.goto(self.url(path))
        assert response is not None and response.status == 200, (label, path, response)
        expect(page.get_by_role("heading", level=1)).to_have_count(1)
        self.scan(page, label)
        if phone:
            page.set_viewport_size(PHONE)
            self.scan(page, f"{label} (phone)")
            page.set_viewport_size(DESKTOP)

    # --- the world --------------------------------------------------------------------------

    def build(self) -> dict[str, Any]:
        """Mei's journal in Fay's cohort (with Ben), as the demo seeder would leave it."""
        from cohorts.services import attendance_record, goal_propose, session_create
        from competencies.models import Area, FramingQuestion
        from discussions.services import post_create, thread_create
        from journals.services import (
            EntryInput,
            EvidenceInput,
            PromptInput,
            RatingInput,
            comment_create,
            entry_create,
            entry_delete,
            evidence_add,
            prompt_create,
            self_assessment_take,
        )
        from resources.services import ResourceInput, resource_create

        framework = import_framework()
        fay = self.make_user("fay@example.org", name="Fay Facilitator")
        rae = make_staff(self, "rae@example.org", "Rae Reviewer")
        mei = self.make_user("mei@example.org", name="Mei Member")
        ben = self.make_user("ben@example.org", name="Ben Reader")
        home = approved_cohort(by=fay, staff=rae, title="Partnerships circle")
        seat(home, mei, fay)
        seat(home, ben, fay)

        resource = resource_create(
            cohort=home,
            by=ben,
            kind="link",
            data=ResourceInput(title="Partnership agreement template", url="https://example.org/"),
        )
        thread = thread_create(cohort=home, author=fay, title="Week one", body="Hello all.")
        post, _ = post_create(thread=thread, author=mei, body="We asked our partners first.")
        start = (timezone.now() - dt.timedelta(days=3)).replace(second=0, microsecond=0)
        session = session_create(
            cohort=home,
            by=fay,
            title="Listening session",
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=90),
        )
        attendance_record(session=session, by=fay, statuses={mei.pk: "present"})
        goal_propose(cohort=home, by=mei, title="Co-design with partners")
        prompt = prompt_create(
            cohort=home,
            by=fay,
            data=PromptInput(
                title="Ask your partner what they gain",
                body="Think of a time you *stepped back*.",
                competencies=["PAR-1", "PAR-2"],
                due_on=timezone.localdate() + dt.timedelta(days=7),
                session=session,
            ),
        )
        questions = list(
            FramingQuestion.objects.filter(framework=framework)
            .order_by("pk")
            .values_list("slug", flat=True)[:2]
        )
        shared = entry_create(
            author=mei,
            data=EntryInput(
                title=SHARED_TITLE,
                body="We listened **before** we planned.\n\n- asked\n- waited\n- wrote it down",
                cohort=home,
                prompt=prompt,
                session=session,
                competencies=["PAR-1", "PAR-2"],
                notes={"PAR-1": "I named what I did not know.", "PAR-2": "We agreed on roles."},
                framing_questions=questions,
                status="final",
            ),
            visibility="facilitators",
        )
        cited = [
            evidence_add(
                entry=shared,
                by=mei,
                data=EvidenceInput(
                    kind="resource",
                    target=resource.pk,
                    annotation="The template we adapted together.",
                    competency="PAR-2",
                ),
            ),
            evidence_add(
                entry=shared,
                by=mei,
                data=EvidenceInput(
                    kind="post",
                    target=post.pk,
                    annotation="Where I asked first.",
                    competency="PAR-1",
                ),
            ),
            evidence_add(
                entry=shared,
                by=mei,
                data=EvidenceInput(
                    kind="url",
                    url="https://example.org/survey",
                    label="Partner survey results",
                    annotation="What partners said they gained.",
                    competency="PAR-1",
                ),
            ),
        ]
        comment_create(entry=shared, by=fay, body="What did **you** hear first?")
        comment_create(entry=shared, by=mei, body="Mostly silence, at first.")
        private = entry_create(
            author=mei,
            data=EntryInput(
                title="Who holds the forms",
                body="A private draft about power.",
                cohort=home,
                competencies=["PAR-3"],
            ),
        )
        for n in range(3):
            entry_create(
                author=mei,
                data=EntryInput(
                    title=f"Field note {n + 1}", competencies=["PAR-1"], status="final"
                ),
            )
        gone = entry_create(author=mei, data=EntryInput(title="An entry I took back"))
        entry_delete(entry=gone, by=mei)
        area = Area.objects.get(framework=framework, slug="partnerships")
        competencies = list(area.competencies.all())
        for levels in ((1, 2, 0, 1, 3), (2, 2, 1, 3, 1)):
            sitting = self_assessment_take(
                user=mei,
                area=area,
                ratings=[
                    RatingInput(c, level) for c, level in zip(competencies, levels, strict=False)
                ],
                note="How I see myself now.",
            )
        return {
            "home": home,
            "prompt": prompt,
            "shared": shared,
            "private": private,
            "evidence": cited[0],
            "resource": resource,
            "sitting": sitting,
            "mei": mei,
        }

    # --- the pages --------------------------------------------------------------------------

    def test_every_journal_page_for_a_member_and_a_facilitator(self) -> None:
        from journals.models import Evidence

        w = off_the_loop(self.build)
        shared, private, home = w["shared"], w["private"], w["home"]
        journal = "/journal"

        # Mei, the member.
        mei = self.watched_page(viewport=DESKTOP)
        self.sign_in(mei, "mei@example.org")
        self.visit(mei, f"{journal}/", "journal home", phone=True)
        self.visit(mei, f"{journal}/entries/new/", "new entry")
        self.visit(mei, f"{journal}/entries/new/?prompt={w['prompt'].pk}", "new entry (prompt)")
        self.visit(mei, shared.get_absolute_url(), "entry (author)", phone=True)
        self.visit(mei, f"{journal}/entries/{shared.pk}/edit/", "entry editor", phone=True)
        self.visit(mei, f"{journal}/entries/{private.pk}/delete/", "delete confirmation")
        self.visit(mei, f"{journal}/entries/deleted/", "recently deleted")
        add = f"{journal}/entries/{shared.pk}/evidence/"
        self.visit(mei, add, "evidence: choose a kind")
        for kind, _label in Evidence.Kind.choices:
            self.visit(mei, f"{add}?kind={kind}", f"evidence picker: {kind}")
        self.visit(
            mei,
            f"{journal}/entries/{shared.pk}/evidence/{w['evidence'].pk}/edit/",
            "evidence edit",
        )
        self.visit(mei, f"{journal}/use/?evidence=resource:{w['resource'].pk}", "use as evidence")
        self.visit(mei, f"{journal}/cohorts/{home.slug}/prompts/", "prompts (member)")
        self.visit(mei, w["prompt"].get_absolute_url(), "prompt (member)")
        self.visit(mei, f"{journal}/entries/{shared.pk}/comments/", "feedback (author)")
        self.visit(mei, f"{journal}/self-assessment/", "self-assessments")
        self.visit(mei, f"{journal}/self-assessment/take/?area=partnerships", "take it")
        self.visit(mei, w["sitting"].get_absolute_url(), "a sitting with the change chart")
        # The chart of the change between the two sittings, named by its title.
        chart = mei.locator(f"svg[aria-labelledby~='assessment-{w['sitting'].pk}-chart-title']")
        expect(chart).to_have_count(1)
        self.visit(mei, f"{journal}/coverage/?area=partnerships", "coverage", phone=True)
        self.visit(mei, f"{journal}/coverage/PAR-1/", "coverage cell (strong or some)")
        self.visit(mei, f"{journal}/coverage/PAR-4/", "coverage cell (empty: ways to build it)")

        # The conflict view, without JavaScript: the editor opened, the entry saved
        # elsewhere meanwhile (another device), then this tab's plain submit.
        edit = f"{journal}/entries/{shared.pk}/edit/"
        signed_in = {"storage_state": mei.context.storage_state()}
        plain = self.watched_page(viewport=DESKTOP, java_script_enabled=False, **signed_in)
        plain.goto(self.url(edit))
        save_elsewhere(shared.pk, w["mei"], THEIR_TEXT)
        field(plain, "Your reflection").fill(MY_TEXT)
        with plain.expect_navigation() as answered:
            plain.locator("#entry-save").click()
        conflict = answered.value
        assert conflict is not None and conflict.status == 409
        expect(plain.locator("#conflict-yours")).to_have_text(MY_TEXT)
        expect(plain.get_by_text(THEIR_TEXT).first).to_be_visible()
        for size, name in ((DESKTOP, ""), (PHONE, ", phone")):
            shown = self.scan_answer(
                conflict, f"editor conflict (no JavaScript{name})", viewport=size, **signed_in
            )
            expect(shown.locator("#conflict-yours")).to_have_text(MY_TEXT)

        # The same with JavaScript: pressing Save moves the focus out of the text, which
        # saves at once (a 409 for the editor's script); the submit waits for that save,
        # then goes plainly and the server shows both texts; autosave pauses there.
        scripted = self.watched_page(viewport=DESKTOP, **signed_in)
        scripted.goto(self.url(edit))
        save_elsewhere(shared.pk, w["mei"], THEIR_TEXT + " Again.")
        field(scripted, "Your reflection").fill(MY_TEXT)
        with scripted.expect_navigation() as answered:
            scripted.locator("#entry-save").click()
        assert answered.value is not None and answered.value.status == 409
        expect(scripted.locator("#conflict-yours")).to_have_text(MY_TEXT)
        expect(scripted.get_by_text(THEIR_TEXT + " Again.").first).to_be_visible()
        self.scan(scripted, "editor conflict (with JavaScript)")
        scripted.set_viewport_size(PHONE)
        self.scan(scripted, "editor conflict (with JavaScript, phone)")
        # Those answers are 409 on purpose, and Chromium logs every 4xx answer as a
        # console error: one line per conflict page loaded (four) and one for the
        # editor's save are expected, nothing else.
        expected = f"{self.url(edit)}: console error: Failed to load resource: the server "
        expected += "responded with a status of 409 (Conflict)"
        assert self.findings.count(expected) == 5, self.findings
        self.findings = [f for f in self.findings if f != expected]

        # Fay, the facilitator.
        fay = self.watched_page(viewport=DESKTOP)
        self.sign_in(fay, "fay@example.org")
        self.visit(fay, f"{journal}/cohorts/{home.slug}/prompts/", "prompts (facilitator)")
        self.visit(fay, f"{journal}/cohorts/{home.slug}/prompts/new/", "new prompt")
        self.visit(fay, w["prompt"].get_absolute_url(), "prompt (who answered)")
        self.visit(fay, f"{journal}/prompts/{w['prompt'].pk}/edit/", "prompt edit")
        self.visit(fay, f"{journal}/cohorts/{home.slug}/reflections/", "reflections")
        self.visit(fay, shared.get_absolute_url(), "entry (facilitator, with feedback)")
        self.visit(fay, f"{journal}/entries/{shared.pk}/comments/", "feedback (facilitator)")
        self.visit(fay, f"{journal}/", "journal home (facilitator, empty)")

        assert len(self.scanned) >= 40, self.scanned
        assert not self.findings, "\n".join(self.findings)
