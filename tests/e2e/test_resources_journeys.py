"""The repertoire in Chromium: members share a PDF and a link, another member finds the PDF
by a competency and by a word found only inside it, marks it useful with a reason, and sees a
third member's new resource arrive live; a facilitator builds a collection, orders it and
lists it as a session's materials. Every page of the app is axe-scanned (desktop, and phone
size for the repertoire and a resource page) and must raise no CSP violation, console error
or page error.

Preconditions only are made with the services (accounts, an approved cohort and its members,
a session, and in the facilitator's journey the resources to curate); every step a person
takes is a click or a keystroke. The live server runs tasks with the immediate backend (the
test settings), so a PDF's text is extracted once its upload commits; the test still waits
for the stored file to say so before it searches.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any, ClassVar

import pytest
from django.test.utils import override_settings
from playwright.sync_api import expect

from tests.e2e import browser
from tests.e2e import test_cohort_accessibility as cohort_pages
from tests.e2e.browser import field
from tests.e2e.test_cohort_journeys import approved_cohort, import_framework, make_staff, seat
from tests.e2e.test_discussions_live import PING_ROUND_TRIP, off_the_loop
from tests.files.conftest import pdf_bytes

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
# A word that occurs only inside the PDF: not in its title, description or tags.
INSIDE_WORD = "quillwort"
PDF_TEXT = f"Partners name the {INSIDE_WORD} meadow as their shared project"
PDF_TITLE = "Partnership agreement template"
LINK_TITLE = "Campus Compact toolkit"
COMPETENCY = "PAR-3"  # Initiates and maintains effective partnerships


def _build_world(case: browser.BrowserTestCase) -> dict[str, Any]:
    """Fay facilitates an approved cohort where Ana, Ben and Cal are members; one session."""
    from cohorts.services import session_create

    import_framework()
    fay = case.make_user("fay@example.org", name="Fay Facilitator")
    rae = make_staff(case, "rae@example.org", "Rae Reviewer")
    ana = case.make_user("ana@example.org", name="Ana Author")
    ben = case.make_user("ben@example.org", name="Ben Reader")
    cal = case.make_user("cal@example.org", name="Cal Member")
    cohort = approved_cohort(by=fay, staff=rae, title="Partnerships circle")
    for person in (ana, ben, cal):
        seat(cohort, person, fay)
    start = (dt.datetime.now(dt.UTC) + dt.timedelta(days=7)).replace(second=0, microsecond=0)
    session = session_create(
        cohort=cohort,
        by=fay,
        title="Mapping partner assets",
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=90),
    )
    return {"cohort": cohort, "session": session, "fay": fay, "ana": ana, "ben": ben, "cal": cal}


def _share_for_curating(world: dict[str, Any]) -> dict[str, Any]:
    """The resources the facilitator curates, shared by Ana through the service."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from resources.services import ResourceInput, resource_create

    def share(kind: str, title: str, **fields: Any) -> Any:
        upload = None
        if kind == "file":
            upload = SimpleUploadedFile("agreement.pdf", pdf_bytes(PDF_TEXT))
        return resource_create(
            cohort=world["cohort"],
            by=world["ana"],
            kind=kind,
            data=ResourceInput(title=title, **fields),
            upload=upload,
        )

    return {
        "file": share("file", PDF_TITLE, description="A template we adapted with partners."),
        "link": share("link", LINK_TITLE, url="https://example.org/toolkit"),
        "note": share(
            "note",
            "Questions for a first partner meeting",
            body="1. What do **you** hope for?\n2. What has worked before?",
        ),
        "stale": share("link", "An outdated directory", url="https://example.org/old"),
    }


class TestResourceJourneys(browser.BrowserTestCase):
    axe = cohort_pages.TestCohortAccessibility.axe
    watched_page = cohort_pages.TestCohortAccessibility.watched_page
    check = cohort_pages.TestCohortAccessibility.check
    scan = cohort_pages.TestCohortAccessibility.scan

    _media_dir: ClassVar[Path]
    _media_overrides: ClassVar[override_settings]

    @classmethod
    def setUpClass(cls) -> None:
        # Uploads go to a folder of this class, set before the server is forked so both
        # processes store and read files in the same place (never the checkout's media/).
        cls._media_dir = Path(tempfile.mkdtemp(prefix="commonplace-e2e-media-"))
        cls._media_overrides = override_settings(
            MEDIA_ROOT=cls._media_dir, MAX_UPLOAD_MB=2, CLAMD_SOCKET=""
        )
        cls._media_overrides.enable()
        try:
            super().setUpClass()
        except BaseException:
            cls._media_overrides.disable()
            shutil.rmtree(cls._media_dir, ignore_errors=True)
            raise

    @classmethod
    def tearDownClass(cls) -> None:
        try:
            super().tearDownClass()
        finally:
            cls._media_overrides.disable()
            shutil.rmtree(cls._media_dir, ignore_errors=True)

    def setUp(self) -> None:
        super().setUp()
        self.findings: list[str] = []
        # The per-test media folder of the suite's conftest would differ from the server's.
        self._test_media = override_settings(MEDIA_ROOT=self._media_dir)
        self._test_media.enable()
        self.addCleanup(self._test_media.disable)

    # --- helpers ----------------------------------------------------------------------------
    def both_sizes(self, page: Any, label: str) -> None:
        self.scan(page, f"{label} (desktop)")
        page.set_viewport_size(PHONE)
        self.scan(page, f"{label} (phone)")
        page.set_viewport_size(DESKTOP)

    def signed_in(self, email_address: str) -> Any:
        page = self.watched_page()
        self.sign_in(page, email_address)
        return page

    @staticmethod
    def card(page: Any, title: str) -> Any:
        return page.locator("#resource-list > li.resource-card", has_text=title)

    def wait_extracted(self, title: str) -> None:
        """The PDF's text is in the stored file (and so in the search index)."""
        from files.models import StoredFile
        from resources.models import Resource

        for _ in range(100):
            resource = Resource.objects.select_related("current_version__file").get(title=title)
            stored = resource.current_version.file
            if stored.extraction != StoredFile.Extraction.PENDING:
                assert stored.extraction == StoredFile.Extraction.DONE, stored.extraction
                assert INSIDE_WORD in stored.text, stored.text
                return
            self._open_pages[0].wait_for_timeout(100)
        pytest.fail(f"the text of {title!r} was not extracted within 10 s")

    def expected_refusal(self, page: Any) -> None:
        """A refused form answers 400 on purpose; Chromium logs that load as a console
        error. Drop exactly that one finding (anything else still fails the test)."""
        refused = (
            f"{page.url}: console error: Failed to load resource: "
            "the server responded with a status of 400 (Bad Request)"
        )
        assert refused in self.findings, self.findings
        self.findings.remove(refused)

    def share_through_the_form(self, page: Any, slug: str, kind: str, title: str) -> None:
        page.goto(self.url(f"/cohorts/{slug}/resources/new/"))
        page.locator(f"input[name=kind][value={kind}]").check()
        field(page, "Title").fill(title)

    # --- journeys ---------------------------------------------------------------------------
    def test_members_share_find_mark_useful_and_see_new_resources_live(self) -> None:
        from resources.models import Resource, UsefulMark

        world = off_the_loop(_build_world, self)
        slug = world["cohort"].slug
        repertoire = f"/cohorts/{slug}/resources/"

        # 1. Ana opens the empty repertoire and adds a resource.
        ana = self.signed_in("ana@example.org")
        self.check(ana, repertoire, "Resources")
        expect(ana.locator(".empty")).to_contain_text("Nothing shared yet")
        ana.get_by_role("link", name="Add a resource").click()
        expect(ana.get_by_role("heading", level=1)).to_have_text("Add a resource")
        self.scan(ana, "add a resource")

        # A refused submit says why and keeps what she chose.
        ana.locator("input[name=kind][value=file]").check()
        field(ana, "Description").fill("Kept after the refusal.")
        ana.get_by_role("button", name="Share the resource").click()
        expect(ana.get_by_role("alert")).to_be_visible()
        expect(ana.locator(".field--invalid").first).to_be_visible()
        expect(field(ana, "Description")).to_have_value("Kept after the refusal.")
        expect(ana.locator("input[name=kind][value=file]")).to_be_checked()
        self.expected_refusal(ana)
        self.scan(ana, "add a resource (with errors)")

        # The PDF, for a competency.
        field(ana, "Title").fill(PDF_TITLE)
        field(ana, "Description").fill("A template we adapted with our partners.")
        ana.locator("input[type=file][name=file]").set_input_files(
            {"name": "agreement.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes(PDF_TEXT)}
        )
        ana.locator(".competency-picker summary").click()
        ana.locator(f"input[name=competencies][value={COMPETENCY}]").check()
        ana.get_by_role("button", name="Share the resource").click()
        expect(ana.get_by_role("heading", level=1)).to_have_text(PDF_TITLE)
        pdf = Resource.objects.get(title=PDF_TITLE)
        expect(ana).to_have_url(self.url(f"/resources/{pdf.pk}/"))
        expect(ana.locator(".resource-file")).to_contain_text("agreement.pdf")
        expect(ana.locator(".resource-detail__topics")).to_contain_text(COMPETENCY)

        # And a link.
        self.share_through_the_form(ana, slug, "link", LINK_TITLE)
        field(ana, "Web address").fill("https://example.org/toolkit")
        ana.get_by_role("button", name="Share the resource").click()
        expect(ana.get_by_role("heading", level=1)).to_have_text(LINK_TITLE)
        self.scan(ana, "resource page (link)")

        ana.goto(self.url(repertoire))
        expect(self.card(ana, PDF_TITLE)).to_have_count(1)
        expect(self.card(ana, LINK_TITLE)).to_have_count(1)
        self.wait_extracted(PDF_TITLE)

        # 2. Ben finds the PDF by its competency ...
        ben = self.signed_in("ben@example.org")
        ben.goto(self.url(repertoire))
        filters = ben.get_by_role("search", name="Find resources")
        filters.get_by_label("Competency").select_option(COMPETENCY)
        filters.get_by_role("button", name="Apply").click()
        expect(ben).to_have_url(re.compile(rf"/resources/\?.*\bcompetency={COMPETENCY}\b"))
        expect(self.card(ben, PDF_TITLE)).to_have_count(1)
        expect(self.card(ben, LINK_TITLE)).to_have_count(0)
        expect(ben.locator("#resource-count")).to_have_text("1 resource")
        self.both_sizes(ben, "repertoire (competency filter)")

        # ... and by a word that is only inside it, on the repertoire and in the library.
        ben.get_by_role("link", name="Clear all").click()
        expect(self.card(ben, LINK_TITLE)).to_have_count(1)
        filters.get_by_label("Search").fill(INSIDE_WORD)
        filters.get_by_role("button", name="Apply").click()
        expect(ben.locator("#resource-list > li")).to_have_count(1)
        expect(self.card(ben, PDF_TITLE)).to_have_count(1)
        self.both_sizes(ben, "repertoire (search)")
        self.check(ben, f"/resources/?q={INSIDE_WORD}", "Library")
        expect(ben.locator("#resource-list > li").first).to_contain_text(PDF_TITLE)
        self.check(ben, "/resources/", "Library")
        expect(self.card(ben, LINK_TITLE)).to_have_count(1)

        # He opens it and marks it useful, saying how he used it.
        ben.goto(self.url(f"{repertoire}?q={INSIDE_WORD}"))
        self.card(ben, PDF_TITLE).get_by_role("link", name=PDF_TITLE).click()
        expect(ben.get_by_role("heading", level=1)).to_have_text(PDF_TITLE)
        reason = "We used section two to agree on who owns the data."
        field(ben, "How did you use it?").fill(reason)
        ben.get_by_role("button", name="Mark as useful").click()
        useful = ben.get_by_role("region", name="Useful")
        expect(useful.locator(".useful-note")).to_contain_text(reason)
        expect(useful.locator(".useful-note")).to_contain_text("Ben Reader")
        expect(useful).to_contain_text("1 person found this useful.")
        expect(useful.get_by_role("button", name="Update my note")).to_be_visible()
        assert UsefulMark.objects.get(resource=pdf, user=world["ben"]).note == reason
        self.both_sizes(ben, "resource page (file)")

        # 3. With the repertoire open, Ben sees Cal's new resource arrive without a reload.
        ben.goto(self.url(repertoire))
        ben.wait_for_function("() => document.body.dataset.connection === 'open'")
        # The follow was sent on open; a round trip after it means the server has it.
        assert ben.evaluate(PING_ROUND_TRIP) is True, "no pong from Ben's socket"
        ben.evaluate("() => { window.__sameDocument = true; }")
        before = ben.locator("#resource-list > li").count()

        cal = self.signed_in("cal@example.org")
        title = "Notes from our first partner meeting"
        self.share_through_the_form(cal, slug, "note", title)
        field(cal, "Note").fill("They asked us to **listen** first.")
        cal.get_by_role("button", name="Share the resource").click()
        expect(cal.get_by_role("heading", level=1)).to_have_text(title)
        note = Resource.objects.get(title=title)

        arrived = ben.locator("#resource-list > li").first
        expect(arrived).to_have_attribute("id", f"resource-{note.pk}")
        expect(arrived.get_by_role("link", name=title)).to_have_attribute(
            "href", f"/resources/{note.pk}/"
        )
        expect(arrived).to_contain_text("shared by Cal Member")
        expect(ben.locator("#resource-live-status")).to_have_text(
            f"New resource: {title} by Cal Member"
        )
        expect(ben.locator("#resource-list > li")).to_have_count(before + 1)
        assert ben.evaluate("() => window.__sameDocument === true"), "Ben's page was reloaded"
        self.scan(ben, "repertoire (with a live card)")
        assert self.findings == [], "\n".join(self.findings)

    def test_facilitator_curates_a_collection_for_a_session_and_every_page_passes_axe(
        self,
    ) -> None:
        world = off_the_loop(_build_world, self)
        shared = off_the_loop(_share_for_curating, world)
        slug, session = world["cohort"].slug, world["session"]
        file, link, note = shared["file"], shared["link"], shared["note"]

        # Ana, the contributor: her note, its edit form, and a new version of her file
        # through its page; the history lists both.
        ana = self.signed_in("ana@example.org")
        self.check(ana, f"/resources/{note.pk}/", note.title)
        expect(ana.locator(".resource-detail__note strong")).to_have_text("you")
        self.check(ana, f"/resources/{note.pk}/edit/", "Edit")
        self.check(ana, f"/resources/{file.pk}/versions/new/", "Upload a new version")
        ana.locator("input[type=file]").set_input_files(
            {
                "name": "agreement-v2.pdf",
                "mimeType": "application/pdf",
                "buffer": pdf_bytes(f"{PDF_TEXT}, revised with partners"),
            }
        )
        field(ana, "What changed?").fill("Added a section on data ownership.")
        ana.get_by_role("button", name="Upload").click()
        expect(ana).to_have_url(self.url(f"/resources/{file.pk}/"))
        history = ana.get_by_role("region", name="Version history")
        expect(history.locator("tbody tr")).to_have_count(2)
        expect(history).to_contain_text("Added a section on data ownership.")
        expect(ana.locator(".resource-file")).to_contain_text("version 2")
        self.both_sizes(ana, "resource page (file with versions)")

        # Fay, the facilitator, deletes an outdated link; it waits in "Recently deleted".
        fay = self.signed_in("fay@example.org")
        self.check(fay, f"/resources/{note.pk}/delete/", "Delete")
        stale = shared["stale"]
        fay.goto(self.url(f"/resources/{stale.pk}/delete/"))
        fay.get_by_role("button", name="Delete", exact=True).click()
        expect(fay).to_have_url(self.url(f"/cohorts/{slug}/resources/"))
        expect(self.card(fay, stale.title)).to_have_count(0)
        fay.get_by_role("link", name="Recently deleted").click()
        expect(fay.locator(f"#deleted-{stale.pk}")).to_contain_text(stale.title)
        self.scan(fay, "recently deleted")

        # 4. Collections -> New collection.
        fay.goto(self.url(f"/cohorts/{slug}/resources/"))
        fay.get_by_role("link", name="Collections").click()
        expect(fay.get_by_role("heading", level=1)).to_have_text("Collections")
        expect(fay.locator(".empty")).to_have_text("No collections yet.")
        self.scan(fay, "collections (none)")
        fay.get_by_role("link", name="New collection").click()
        expect(fay.get_by_role("heading", level=1)).to_have_text("New collection")
        self.scan(fay, "collection form")
        field(fay, "Title").fill("Before we meet partners")
        fay.get_by_role("button", name="Make the collection").click()
        expect(fay.get_by_role("heading", level=1)).to_have_text("Before we meet partners")

        # Two resources, then the second moved above the first.
        picker = fay.get_by_label("Add a resource of the cohort")
        curate = fay.get_by_role("region", name="Curate")
        for resource in (link, file):
            picker.select_option(str(resource.pk))
            curate.get_by_role("button", name="Add", exact=True).click()
            expect(fay.locator(".messages")).to_contain_text(f"Added “{resource.title}”")
        items = fay.locator("ol.collection-items > li")
        expect(items).to_have_count(2)
        expect(items.nth(0)).to_contain_text(LINK_TITLE)
        # Each button names its resource (Chromium puts a space before the hidden part).
        fay.get_by_role("button", name=f"Move up: {PDF_TITLE}", exact=True).click()
        expect(items.nth(0)).to_contain_text(PDF_TITLE)
        expect(items.nth(1)).to_contain_text(LINK_TITLE)

        # Listed as the session's materials.
        fay.get_by_label("Materials of a session").select_option(str(session.pk))
        curate.get_by_role("button", name="Save").click()
        expect(fay.get_by_text(f"Listed as the materials of {session.title}.")).to_be_visible()
        expect(fay.get_by_role("link", name=session.title).first).to_be_visible()
        self.scan(fay, "collection")
        self.check(fay, f"/cohorts/{slug}/collections/", "Collections")
        expect(fay.locator(".collection-list__item")).to_contain_text(
            f"2 resources · materials of {session.title}"
        )
        fay.get_by_role("link", name="Before we meet partners").click()
        fay.get_by_role("link", name="Edit collection").click()
        expect(fay.get_by_role("heading", level=1)).to_contain_text("Edit")
        self.scan(fay, "collection form (edit)")

        # The session page lists them, in the collection's order.
        self.check(fay, f"/cohorts/{slug}/sessions/{session.pk}/", session.title)
        materials = fay.get_by_role("link", name=PDF_TITLE)
        expect(materials).to_have_attribute("href", f"/resources/{file.pk}/")
        expect(fay.get_by_role("link", name=LINK_TITLE)).to_have_attribute(
            "href", f"/resources/{link.pk}/"
        )
        text = fay.locator("main").inner_text()
        assert text.index(PDF_TITLE) < text.index(LINK_TITLE), text
        fay.get_by_role("link", name="All materials for this session").click()
        expect(fay.get_by_role("heading", level=1)).to_have_text(f"Materials for {session.title}")
        listed = fay.locator("ol.collection-items > li")
        expect(listed).to_have_count(2)
        expect(listed.nth(0)).to_contain_text(PDF_TITLE)
        expect(listed.nth(1)).to_contain_text(LINK_TITLE)
        self.scan(fay, "session materials")

        # A member reads the same materials, without the curator's controls.
        cal = self.signed_in("cal@example.org")
        self.check(cal, f"/cohorts/{slug}/sessions/{session.pk}/materials/", "Materials for")
        expect(cal.locator("ol.collection-items > li")).to_have_count(2)
        expect(cal.get_by_role("region", name="Add materials")).to_have_count(0)
        assert self.findings == [], "\n".join(self.findings)
