"""axe-core scans of the pages people land on, anonymous and signed in."""

from __future__ import annotations

import io
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from playwright.sync_api import expect

from tests.e2e import browser

pytestmark = pytest.mark.e2e

BLOCKING_IMPACTS = {"serious", "critical"}


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:5]:
            lines.append(f"    {' '.join(node['target'])}: {node['html'][:160]}")
    return "\n".join(lines)


class TestAccessibility(browser.BrowserTestCase):
    axe = Axe()

    def assert_accessible(
        self, page: Any, path: str, heading: str, *, navigate: bool = True
    ) -> None:
        if navigate:
            page.goto(self.url(path))
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        violations = self.axe.run(page).response["violations"]
        if violations:
            # Minor and moderate findings are reported, not failed on.
            print(f"\naxe on {path}:\n{describe(violations)}")
        blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
        assert not blocking, f"axe found serious problems on {path}:\n{describe(blocking)}"

    def test_anonymous_pages_have_no_serious_accessibility_problems(self) -> None:
        call_command("import_framework", stdout=io.StringIO())
        page = self.new_page()
        self.assert_accessible(page, "/", "Learn with peers")
        # The landing page lists the credential areas once the framework is imported.
        expect(page.get_by_role("region", name="The credential areas")).to_be_visible()
        self.assert_accessible(page, "/accounts/login/", "Sign In")
        self.assert_accessible(page, "/accounts/signup/", "Sign Up")
        # The same form showing its errors (aria-invalid, error lists, the alert).
        page.get_by_role("button", name="Sign Up").click()
        expect(page.get_by_role("alert")).to_be_visible()
        self.assert_accessible(page, "/accounts/signup/", "Sign Up", navigate=False)

    def test_signed_in_pages_have_no_serious_accessibility_problems(self) -> None:
        call_command("import_framework", stdout=io.StringIO())
        self.make_user("axe@example.org", name="Alex Axe")
        page = self.new_page()
        self.sign_in(page, "axe@example.org")
        self.assert_accessible(page, "/accounts/profile/", "Alex Axe")
        self.assert_accessible(page, "/accounts/profile/edit/", "Edit your profile")
        self.assert_accessible(page, "/competencies/cep/", "CEP core competency credentials")

    def test_scan_reports_a_real_problem(self) -> None:
        """The scan is live: an image without alt text on our page is caught as critical."""
        page = self.new_page()
        page.goto(self.url("/accounts/login/"))
        page.evaluate(
            "document.querySelector('main').append(Object.assign("
            "document.createElement('img'), {src: '/static/img/favicon.svg'}))"
        )
        violations = self.axe.run(page).response["violations"]
        assert "image-alt" in {v["id"] for v in violations if v["impact"] in BLOCKING_IMPACTS}
