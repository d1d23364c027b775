"""The reflection journal's journeys in a real browser (issue 12), with an axe scan, a CSP
watch and a console watch on every page they pass:

1. A facilitator posts a prompt; a member answers it from her dashboard with an entry mapped
   to two competencies, cites a resource and one of her posts through their "Use as
   evidence" links, and shares the entry with the facilitators (a co-member still gets a
   404). The facilitator opens it from the prompt's who-answered list and comments; the
   member hears of it, reads it and replies; the facilitator reads the reply. When the
   author makes it private again, the facilitator's open page says so without a reload.
2. The editor in two tabs of one browser: a save in one makes the other's autosave a
   conflict that shows both texts, merged and saved with nothing lost; Save pressed while an
   autosave is under way waits for it (no false conflict). Text typed offline is kept on
   the device and saved when the connection is back; if the tab dies first, the editor
   opened again offers the kept copy back.

Preconditions only are made with the services (accounts, a cohort, a resource, a post, an
entry); every step a person takes is a click or a keystroke.
"""

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
from tests.e2e.test_cohort_journeys import approved_cohort, import_framework, make_staff, seat
from tests.e2e.test_content_security_policy import RECORD_VIOLATIONS

pytestmark = pytest.mark.e2e

PROMPT = "A moment you shared power"
ENTRY = "Letting partners set the agenda"
RESOURCE = "Partnership agreement template"
POST = "We asked the food bank what they need before planning anything."
FEEDBACK = "Thank you. What did the food bank say when you asked them first?"
REPLY = "They were surprised: nobody had asked them before."


class TestJournalJourneys(browser.BrowserTestCase):
    axe = Axe()

    def setUp(self) -> None:
        super().setUp()
        self.findings: list[str] = []

    # --- watching every page --------------------------------------------------------------
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

    def watched_page(self, **options: Any) -> Any:
        return self.watch(self.new_page(**options))

    def another_tab(self, context: Any) -> Any:
        """Another page in ``context``: the same person, the same storage on the device."""
        tab = self.watch(context.new_page())
        self._open_pages.append(tab)
        return tab

    @staticmethod
    def crash(page: Any) -> None:
        """The tab's renderer dies at once, running no more of the page's code (as when
        the browser crashes or the battery runs out)."""
        with page.expect_event("crash"), pytest.raises(PlaywrightError, match="crash"):
            page.goto("chrome://crash")
        page.close()

    def scan(self, page: Any, label: str) -> None:
        page.wait_for_load_state("load")
        violations = page.evaluate("window.__cspViolations")
        self.findings.extend(f"{label}: CSP {v}" for v in violations)
        results = self.axe.run(page).response["violations"]
        blocking = [v for v in results if v["impact"] in BLOCKING_IMPACTS]
        if blocking:
            self.findings.append(f"axe on {label}:\n{describe(blocking)}")

    def expected(self, *fragments: str) -> list[str]:
        """Take out of the findings the console lines a step causes on purpose (a refused
        save the browser logs, say), and return them so the caller can count them."""
        taken = [f for f in self.findings if any(part in f for part in fragments)]
        self.findings = [f for f in self.findings if f not in taken]
        return taken

    # --- the world ------------------------------------------------------------------------
    def build(self) -> dict[str, Any]:
        """Fay facilitates a cohort with Mei and Ben; Ben shared a resource there and Mei
        wrote a post in one of its threads."""
        from discussions.services import post_create, thread_create
        from resources.services import ResourceInput, resource_create

        import_framework()
        fay = self.make_user("fay@example.org", name="Fay Facilitator")
        rae = make_staff(self, "rae@example.org", "Rae Reviewer")
        mei = self.make_user("mei@example.org", name="Mei Member")
        ben = self.make_user("ben@example.org", name="Ben Reader")
        cohort = approved_cohort(by=fay, staff=rae, title="Partnerships circle")
        seat(cohort, mei, fay)
        seat(cohort, ben, fay)
        resource = resource_create(
            cohort=cohort,
            by=ben,
            kind="link",
            data=ResourceInput(title=RESOURCE, url="https://example.org/agreement"),
        )
        thread = thread_create(
            cohort=cohort, author=fay, title="Week one: who sets the agenda?", body="Hello all."
        )
        post, _ = post_create(thread=thread, author=mei, body=POST)
        return {"cohort": cohort, "resource": resource, "thread": thread, "post": post}

    # --- 1. prompt, entry, evidence, feedback ---------------------------------------------
    def test_prompt_entry_evidence_feedback_and_unsharing(self) -> None:
        from competencies.models import Competency
        from journals.models import Entry, Evidence

        world = self.build()
        cohort = world["cohort"]

        # Fay posts a prompt from the cohort's prompts page.
        fay = self.watched_page()
        self.sign_in(fay, "fay@example.org")
        fay.goto(self.url(f"/journal/cohorts/{cohort.slug}/prompts/"))
        self.scan(fay, "the cohort's prompts (none yet)")
        fay.get_by_role("link", name="Post a prompt").click()
        expect(fay.get_by_role("heading", name="Post a reflection prompt", level=1)).to_be_visible()
        self.scan(fay, "post a prompt")
        field(fay, "Title").fill(PROMPT)
        field(fay, "What to reflect on").fill(
            "Think of a moment this month when a partner, not you, **decided** something."
        )
        fay.locator("summary", has_text="Competencies it speaks to").click()
        fay.get_by_label(re.compile(r"^PAR-1 ")).check()
        due = dt.date.today() + dt.timedelta(days=14)
        field(fay, "Due date").fill(due.isoformat())
        fay.get_by_role("button", name="Post the prompt").click()
        expect(fay.get_by_role("heading", name=PROMPT, level=1, exact=True)).to_be_visible()
        expect(fay.get_by_text(f"“{PROMPT}” is posted.")).to_be_visible()
        self.scan(fay, "the prompt, as its facilitator sees it")

        # Mei finds it on her dashboard and answers it in an entry.
        mei = self.watched_page()
        self.sign_in(mei, "mei@example.org")
        panel = mei.locator("section.open-prompts")
        expect(panel).to_contain_text("Not answered yet")
        self.scan(mei, "dashboard with an open prompt")
        panel.get_by_role("link", name=PROMPT).click()
        expect(mei.get_by_role("heading", name=PROMPT, level=1, exact=True)).to_be_visible()
        expect(mei.get_by_text("You have not answered yet.")).to_be_visible()
        self.scan(mei, "the prompt, as a member sees it")
        mei.get_by_role("link", name="Answer in an entry").click()
        expect(mei.get_by_role("heading", name="New journal entry", level=1)).to_be_visible()
        expect(mei.locator(".entry-prompt")).to_contain_text(PROMPT)
        self.scan(mei, "new entry answering the prompt")
        field(mei, "Title").fill(ENTRY)
        field(mei, "Your reflection").fill(
            "At the planning meeting I stayed quiet and the food bank chose the first topic."
        )
        # The prompt's competency comes ticked; she adds a second, with a note for each.
        first = mei.get_by_label(re.compile(r"^PAR-1 "))
        expect(first).to_be_checked()
        mei.get_by_label(re.compile(r"^PAR-2 ")).check()
        mei.get_by_label("How this entry shows PAR-1").fill("I let the partner lead.")
        mei.get_by_label("How this entry shows PAR-2").fill("We agreed the agenda together.")
        mei.get_by_role("button", name="Save", exact=True).click()
        expect(mei.get_by_role("heading", name=ENTRY, level=1, exact=True)).to_be_visible()
        entry = Entry.objects.get(title=ENTRY)
        expect(mei).to_have_url(self.url(entry.get_absolute_url()))
        mappings = mei.locator(".entry-mappings")
        expect(mappings).to_contain_text("I let the partner lead.")
        expect(mappings).to_contain_text("We agreed the agenda together.")
        expect(mei.locator(".entry__facts")).to_contain_text(PROMPT)
        self.scan(mei, "the new entry (private)")
        assert entry.prompt_id is not None and entry.visibility == "private"
        assert sorted(entry.competencies.values_list("code", flat=True)) == ["PAR-1", "PAR-2"]

        # Her post, from its thread: "Use as evidence".
        mei.goto(self.url(world["thread"].get_absolute_url()))
        self.scan(mei, "the thread with her post")
        mei.locator(f"#post-{world['post'].pk}").get_by_role(
            "link", name=re.compile("^Use as evidence")
        ).click()
        expect(mei.get_by_role("heading", name="Use as evidence", level=1)).to_be_visible()
        self.scan(mei, "use a post as evidence")
        field(mei, "Your entry").select_option(str(entry.pk))
        field(mei, "What it shows").fill("Where I asked before planning.")
        mei.get_by_role("button", name="Add as evidence").click()
        expect(mei.get_by_text(f"Added to “{ENTRY}” as evidence.")).to_be_visible()
        expect(mei.locator("#evidence")).to_contain_text("Where I asked before planning.")

        # Ben's resource, from its page: "Use as evidence".
        mei.goto(self.url(world["resource"].get_absolute_url()))
        self.scan(mei, "the resource's page")
        mei.get_by_role("link", name="Use as evidence").click()
        self.scan(mei, "use a resource as evidence")
        field(mei, "Your entry").select_option(str(entry.pk))
        field(mei, "What it shows").fill("The template we adapted with the food bank.")
        par2 = Competency.objects.get(framework__slug="cep", code="PAR-2")
        field(mei, "Competency it supports").select_option(str(par2.pk))
        mei.get_by_role("button", name="Add as evidence").click()
        evidence = mei.locator("#evidence")
        expect(evidence.locator(".evidence-item")).to_have_count(2)
        expect(evidence).to_contain_text(RESOURCE)
        expect(evidence).to_contain_text(POST[:40])
        self.scan(mei, "the entry with two pieces of evidence")
        assert sorted(Evidence.objects.filter(entry=entry).values_list("kind", flat=True)) == [
            "post",
            "resource",
        ]

        # She shares it with the facilitators: widening asks her to confirm.
        visibility = mei.locator("#visibility-form")
        confirm = visibility.get_by_label("Yes, let them read it")
        expect(confirm).to_be_hidden()
        visibility.get_by_label(re.compile("^Shared with the cohort's facilitators")).check()
        expect(confirm).to_be_visible()
        confirm.check()
        visibility.get_by_role("button", name="Save who can read it").click()
        expect(mei.get_by_text("Done: shared with the cohort's facilitators.")).to_be_visible()
        expect(mei.locator("#feedback")).to_contain_text("No feedback yet.")
        self.scan(mei, "the entry, shared with the facilitators")
        entry.refresh_from_db()
        assert entry.visibility == "facilitators"

        # Ben, in the same cohort, may not read it: the same 404 as for no entry at all.
        ben = self.watched_page()
        self.sign_in(ben, "ben@example.org")
        response = ben.goto(self.url(entry.get_absolute_url()))
        assert response is not None and response.status == 404
        expect(ben.get_by_text(ENTRY)).to_have_count(0)
        self.expected("status of 404 (Not Found)")
        self.scan(ben, "a co-member's 404 for the entry")

        # Fay opens it from the prompt's who-answered list and comments.
        fay.goto(self.url("/dashboard/"))
        self.scan(fay, "the facilitator's dashboard")
        fay.locator("section.open-prompts").get_by_role("link", name=PROMPT).click()
        answered = fay.locator("section.who-answered")
        expect(answered).to_contain_text("1 of 2 members shared an answer with you")
        expect(answered.get_by_role("row", name=re.compile("^Ben Reader"))).to_contain_text(
            "No answer shared yet"
        )
        self.scan(fay, "who answered")
        answered.get_by_role("link", name=ENTRY).click()
        expect(fay.get_by_role("heading", name=ENTRY, level=1, exact=True)).to_be_visible()
        shown = fay.locator("#evidence")
        expect(shown.locator(".evidence-item")).to_have_count(2)
        expect(shown.get_by_role("link", name=RESOURCE)).to_be_visible()
        expect(shown).to_contain_text(POST[:40])
        expect(shown).to_contain_text("The template we adapted with the food bank.")
        expect(fay.get_by_role("link", name="Add evidence")).to_have_count(0)
        self.scan(fay, "the shared entry, as the facilitator reads it")
        field(fay, "Your feedback").fill(FEEDBACK)
        fay.get_by_role("button", name="Send feedback").click()
        expect(fay.get_by_text("Your feedback is sent.")).to_be_visible()
        expect(fay.locator(".feedback__list")).to_contain_text(FEEDBACK)

        # Mei's open page is told at once; her notifications take her to it.
        mei_live = mei.locator("#feedback-live")
        expect(mei_live).to_contain_text("New feedback")
        expect(mei.get_by_text(FEEDBACK)).to_have_count(0)
        mei.locator("#notifications-link").click()
        self.scan(mei, "her notifications")
        mei.get_by_role(
            "button", name=f"Fay Facilitator commented on “{ENTRY}”", exact=True
        ).click()
        expect(mei).to_have_url(re.compile(rf"/journal/entries/{entry.pk}/#feedback$"))
        expect(mei.locator(".feedback__list")).to_contain_text(FEEDBACK)
        self.scan(mei, "the entry with feedback")
        field(mei, "Your reply").fill(REPLY)
        mei.get_by_role("button", name="Send reply").click()
        expect(mei.get_by_text("Your reply is sent.")).to_be_visible()
        expect(mei.locator(".feedback__item--author")).to_contain_text(REPLY)

        # Fay's open page announces the reply; she reloads through the link and reads it.
        fay_live = fay.locator("#feedback-live")
        expect(fay_live).to_contain_text("New feedback")
        fay_live.get_by_role("link", name="reload to read it").click()
        expect(fay.locator(".feedback__list")).to_contain_text(REPLY)
        self.scan(fay, "the conversation, as the facilitator sees it")

        # Mei makes it private again while Fay's page is open: the text leaves Fay's page.
        fay.evaluate("() => { window.__sameDocument = true; }")
        visibility = mei.locator("#visibility-form")
        visibility.get_by_label(re.compile("^Private: only me")).check()
        expect(visibility.get_by_label("Yes, let them read it")).to_be_hidden()
        visibility.get_by_role("button", name="Save who can read it").click()
        expect(mei.get_by_text("Only you can read it now.")).to_be_visible()
        self.scan(mei, "the entry, private again")
        expect(fay.locator("#entry-content")).to_contain_text(
            "This entry is no longer shared with you."
        )
        expect(fay.locator("#entry-live")).to_have_text("This entry is no longer shared with you.")
        expect(fay.get_by_text(FEEDBACK)).to_have_count(0)
        expect(fay.get_by_text(RESOURCE)).to_have_count(0)
        assert fay.evaluate("() => window.__sameDocument === true"), "the page reloaded"
        self.scan(fay, "the facilitator's page once the entry is private")
        response = fay.reload()
        assert response is not None and response.status == 404
        self.expected("status of 404 (Not Found)")

        assert not self.findings, "\n".join(self.findings)

    # --- 2. two tabs, a conflict, and a copy kept offline ---------------------------------
    def test_autosave_conflict_in_two_tabs_and_a_copy_kept_offline(self) -> None:
        from journals.models import Entry
        from journals.services import EntryInput, entry_create

        import_framework()
        mei = self.make_user("mei@example.org", name="Mei Member")
        entry = entry_create(
            author=mei,
            data=EntryInput(title="Notes from the listening session", body="First draft."),
        )
        edit_url = self.url(f"/journal/entries/{entry.pk}/edit/")

        tab_a = self.watched_page()
        self.sign_in(tab_a, "mei@example.org")
        tab_a.goto(edit_url)
        expect(tab_a.locator("#autosave-status")).to_have_text("Changes are saved as you type.")
        self.scan(tab_a, "the entry editor")
        tab_b = self.another_tab(tab_a.context)
        tab_b.goto(edit_url)
        expect(tab_b.locator("#autosave-status")).to_have_text("Changes are saved as you type.")

        # Tab A saves as she types.
        body_a = tab_a.get_by_label(re.compile(r"^Your reflection( \*)?$"))
        body_a.press("End")
        body_a.press_sequentially(" The elders spoke first.")
        expect(tab_a.locator("#autosave-status")).to_contain_text("Saved at")
        text_a = "First draft. The elders spoke first."
        entry.refresh_from_db()
        assert entry.body == text_a

        # Tab B, still on the first version, types something else: both texts are shown.
        body_b = tab_b.get_by_label(re.compile(r"^Your reflection( \*)?$"))
        body_b.press("End")
        body_b.press_sequentially(" We met at the library.")
        text_b = "First draft. We met at the library."
        conflict = tab_b.locator("#conflict")
        expect(conflict).to_be_visible()
        expect(tab_b.locator("#conflict-yours")).to_have_text(text_b)
        expect(tab_b.locator("#conflict-theirs")).to_have_text(text_a)
        expect(tab_b.locator("#autosave-status")).to_contain_text("changed elsewhere")
        expect(body_b).to_have_value(text_b)
        refused = self.expected("status of 409 (Conflict)")
        assert len(refused) == 1, refused
        self.scan(tab_b, "the editor showing a conflict")
        entry.refresh_from_db()
        assert entry.body == text_a, "the conflicting save overwrote the other tab's"

        # She merges the two in the box offered and saves that.
        merge = tab_b.get_by_label("Or merge them here")
        expect(merge).to_have_value(text_b)
        merged = "First draft. We met at the library. The elders spoke first."
        merge.press("End")
        merge.press_sequentially(" The elders spoke first.")
        tab_b.get_by_role("button", name="Save the merged text").click()
        expect(conflict).to_have_count(0)
        expect(tab_b.locator("#autosave-status")).to_contain_text("Saved at")
        expect(body_b).to_have_value(merged)
        entry.refresh_from_db()
        assert entry.body == merged

        # Pressing Save while a save is under way waits for it, and then sends the form on
        # the version it made: no second autosave races the form into a false conflict.
        held: list[Any] = []
        tab_b.route(re.compile(r"/autosave/$"), lambda route: held.append(route))
        body_b.press("End")
        body_b.press_sequentially(" Then we")
        expect(tab_b.locator("#autosave-status")).to_have_text("Saving…")
        body_b.press_sequentially(" walked over together.")
        tab_b.get_by_role("button", name="Save", exact=True).click()
        expect(tab_b.locator("#autosave-status")).to_have_text("Finishing the last save…")
        assert len(held) == 1
        held[0].continue_()
        final = merged + " Then we walked over together."
        expect(tab_b.get_by_text("is saved.")).to_be_visible()
        expect(tab_b.locator(".entry__body")).to_contain_text(final)
        assert len(held) == 1, "an autosave was sent after Save was pressed"
        self.scan(tab_b, "the entry with the merged text")
        entry.refresh_from_db()
        assert entry.body == final
        merged = final

        # Offline, what she types is kept on this device, and saved once she is back online.
        tab_b.close()
        tab_a.reload()
        expect(body_a).to_have_value(merged)
        status = tab_a.locator("#autosave-status")
        offline = tab_a.context.set_offline
        offline(True)
        body_a.press("End")
        body_a.press_sequentially(" Next time: ask the youth council.")
        expect(status).to_contain_text("Offline — kept on this device")
        offline(False)
        expect(status).to_contain_text("Saved at")
        saved = merged + " Next time: ask the youth council."
        assert Entry.objects.get(pk=entry.pk).body == saved

        # Typed offline, and the tab is gone before the connection comes back (it crashed:
        # nothing more could be sent). Back online, she opens the editor again: it offers
        # the copy this device kept, and restoring it saves it.
        offline(True)
        body_a.press("End")
        body_a.press_sequentially(" Invite the librarians.")
        expect(status).to_contain_text("Offline — kept on this device")
        self.crash(tab_a)
        assert Entry.objects.get(pk=entry.pk).body == saved
        offline(False)
        tab_a = self.another_tab(tab_a.context)
        tab_a.goto(edit_url)
        body_a = tab_a.get_by_label(re.compile(r"^Your reflection( \*)?$"))
        status = tab_a.locator("#autosave-status")
        offer = tab_a.locator("#local-copy")
        expect(offer).to_be_visible()
        expect(offer).to_contain_text("newer than the saved text")
        expect(body_a).to_have_value(saved)
        self.scan(tab_a, "the editor offering the copy kept on this device")
        offer.get_by_role("button", name="Restore it").click()
        expect(offer).to_be_hidden()
        kept = saved + " Invite the librarians."
        expect(body_a).to_have_value(kept)
        expect(status).to_contain_text("Saved at")
        tab_a.get_by_role("link", name="Cancel").click()
        expect(tab_a.locator(".entry__body")).to_contain_text(kept)
        self.scan(tab_a, "the entry with the restored text")
        assert Entry.objects.get(pk=entry.pk).body == kept
        offline_errors = self.expected("ERR_INTERNET_DISCONNECTED")
        assert offline_errors, "the offline saves never reached the browser's network"

        assert not self.findings, "\n".join(self.findings)
