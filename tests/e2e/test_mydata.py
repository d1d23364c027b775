"""My data and account deletion in a real browser, with an axe scan and a CSP watch on each
page: a member exports everything (the ZIP downloads and holds data.json with a key per
app and their uploaded file), then deletes their account after reading what goes and what
stays; a co-member then sees the member's post by "A former member"."""

from __future__ import annotations

import json
import tempfile
import zipfile
from pathlib import Path
from typing import Any, ClassVar

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import override_settings
from playwright.sync_api import expect

from tests.e2e import browser
from tests.e2e.test_accessibility import BLOCKING_IMPACTS, describe
from tests.e2e.test_content_security_policy import RECORD_VIOLATIONS
from tests.e2e.test_discussions_live import build_thread, off_the_loop

pytestmark = pytest.mark.e2e

ANA_POST = "We asked the partners to set the agenda."


def _ana_writes(ana: Any, thread: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from discussions.services import post_create
    from journals.services import EntryInput, EvidenceInput, entry_create, evidence_add

    post_create(thread=thread, author=ana, body=ANA_POST)
    entry = entry_create(author=ana, data=EntryInput(title="Private doubts", body="Just mine."))
    evidence_add(
        entry=entry,
        by=ana,
        data=EvidenceInput(kind="file", label="Notes"),
        upload=SimpleUploadedFile("site-notes.txt", b"What I saw at the site.\n"),
    )


class TestMyDataAndDeletion(browser.BrowserTestCase):
    axe = Axe()
    _media_override: ClassVar[Any]

    @classmethod
    def setUpClass(cls) -> None:
        # The server process writes the uploads and the ZIP here, not in the checkout.
        cls._media_override = override_settings(
            MEDIA_ROOT=tempfile.mkdtemp(prefix="commonplace-e2e-media-")
        )
        cls._media_override.enable()
        try:
            super().setUpClass()
        except BaseException:
            cls._media_override.disable()
            raise

    @classmethod
    def tearDownClass(cls) -> None:
        try:
            super().tearDownClass()
        finally:
            cls._media_override.disable()

    def setUp(self) -> None:
        super().setUp()
        self.findings: list[str] = []
        # Files made here (the evidence upload) go where the server process reads them.
        same_media = override_settings(MEDIA_ROOT=self._media_override.options["MEDIA_ROOT"])
        same_media.enable()
        self.addCleanup(same_media.disable)

    def watched_page(self, **options: Any) -> Any:
        page = self.new_page(**options)
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("pageerror", lambda exc: self.findings.append(f"{page.url}: page error: {exc}"))
        return page

    def scan(self, page: Any, label: str) -> None:
        page.wait_for_load_state("load")
        self.findings.extend(f"{label}: CSP {v}" for v in page.evaluate("window.__cspViolations"))
        results = self.axe.run(page).response["violations"]
        blocking = [v for v in results if v["impact"] in BLOCKING_IMPACTS]
        if blocking:
            self.findings.append(f"axe on {label}:\n{describe(blocking)}")

    def test_export_everything_then_delete_the_account(self) -> None:
        built = build_thread(self)
        off_the_loop(_ana_writes, built["ana"], built["thread"])

        page = self.watched_page(accept_downloads=True)
        self.sign_in(page, "ana@example.org")
        page.goto(self.url("/accounts/profile/"))
        page.get_by_role("navigation", name="Account settings").get_by_role(
            "link", name="My data"
        ).click()
        expect(page.get_by_role("heading", name="My data", level=1)).to_be_visible()
        self.scan(page, "my data (no export yet)")

        page.get_by_role("button", name="Export my data").click()
        expect(page.get_by_text("Your data export is on its way")).to_be_visible()
        download_link = page.get_by_role("link", name="Download commonplace-my-data")
        expect(download_link).to_be_visible()
        self.scan(page, "my data (export ready)")
        with page.expect_download() as info:
            download_link.click()
        saved = Path(tempfile.mkdtemp()) / "data.zip"
        info.value.save_as(saved)
        with zipfile.ZipFile(saved) as archive:
            data = json.loads(archive.read("data.json"))
            assert {"account", "discussions", "journals", "packets"} <= set(data)
            assert data["account"]["email"] == "ana@example.org"
            assert [p["body"] for p in data["discussions"]["posts"]] == [ANA_POST]
            assert archive.read("files/evidence/site-notes.txt") == b"What I saw at the site.\n"

        page.get_by_role("link", name="delete your account").click()
        expect(page.get_by_role("heading", name="Delete your account")).to_be_visible()
        removed = page.locator("section", has=page.get_by_role("heading", name="What is removed"))
        expect(removed).to_contain_text("Journal entries, with their evidence")
        kept = page.locator("section", has=page.get_by_role("heading", name="What stays"))
        expect(kept).to_contain_text("Discussion posts")
        self.scan(page, "delete account")

        browser.field(page, "Your e-mail address").fill("ana@elsewhere.example")
        browser.field(page, "Your password").fill(browser.PASSWORD)
        page.get_by_role("button", name="Delete my account now").click()
        expect(page.get_by_text("This is not the e-mail address of your account")).to_be_visible()
        expect(browser.field(page, "Your e-mail address")).to_have_value("ana@elsewhere.example")
        self.scan(page, "delete account with an error")

        browser.field(page, "Your e-mail address").fill("ana@example.org")
        browser.field(page, "Your password").fill(browser.PASSWORD)
        page.get_by_role("button", name="Delete my account now").click()
        expect(page.get_by_text("Your account is deleted")).to_be_visible()
        page.goto(self.url("/accounts/profile/"))
        assert "/accounts/login/" in page.url

        reader = self.watched_page()
        self.sign_in(reader, "ben@example.org")
        reader.goto(self.url(built["path"]))
        post = reader.locator(".post", has_text=ANA_POST)
        expect(post).to_contain_text("A former member")
        expect(reader.locator("main")).not_to_contain_text("Ana Author")
        self.scan(reader, "thread with a former member's post")

        # The page answered 400 for the wrong e-mail on purpose; nothing else is wrong.
        assert not self.findings, "\n".join(self.findings)
