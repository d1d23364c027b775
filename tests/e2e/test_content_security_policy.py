"""The strict Content-Security-Policy holds in a real browser: our pages never trip it."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e import browser

pytestmark = pytest.mark.e2e

# Installed before any page script runs (Playwright's init scripts are exempt from CSP).
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(
    `${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`
  );
});
"""


class TestContentSecurityPolicy(browser.BrowserTestCase):
    def watch(self, page: Any) -> list[str]:
        """Record CSP violations and console errors of ``page`` into the returned list."""
        problems: list[str] = []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on(
            "console",
            lambda msg: (
                problems.append(f"console {msg.type}: {msg.text}")
                if msg.type in {"error", "warning"}
                else None
            ),
        )
        page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
        return problems

    def visit(self, page: Any, problems: list[str], path: str, heading: str) -> None:
        response = page.goto(self.url(path))
        assert response is not None and response.ok, (path, response and response.status)
        policy = response.header_value("content-security-policy") or ""
        assert "script-src 'self'" in policy, (path, policy)
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        # Stylesheets, images and the favicon have loaded before we read the record.
        page.wait_for_load_state("load")
        problems.extend(f"{path}: {v}" for v in page.evaluate("window.__cspViolations"))

    def test_pages_raise_no_csp_violations_or_console_errors(self) -> None:
        self.make_user("csp@example.org", name="Casey Policy")
        page = self.new_page()
        problems = self.watch(page)
        self.visit(page, problems, "/", "Learn with peers")
        self.visit(page, problems, "/accounts/login/", "Sign In")
        self.visit(page, problems, "/accounts/signup/", "Sign Up")
        self.sign_in(page, "csp@example.org")
        self.visit(page, problems, "/dashboard/", "Welcome, Casey Policy")
        self.visit(page, problems, "/accounts/profile/", "Casey Policy")
        self.visit(page, problems, "/accounts/profile/edit/", "Edit your profile")
        # The stylesheet really applied (a blocked or missing one would leave defaults).
        assert page.evaluate("document.styleSheets.length") >= 1
        assert page.evaluate("document.styleSheets[0].cssRules.length") > 0
        assert problems == [], "\n".join(problems)

    def test_an_inline_script_would_be_caught(self) -> None:
        """The recorder is live: an inline script added to one of our pages is blocked."""
        page = self.new_page()
        problems = self.watch(page)
        self.visit(page, problems, "/accounts/login/", "Sign In")
        assert problems == []
        page.evaluate(
            "document.body.append(Object.assign(document.createElement('script'),"
            " {textContent: 'window.__inlineRan = true'}))"
        )
        page.wait_for_function("window.__cspViolations.length > 0")
        assert page.evaluate("window.__inlineRan") is None
        assert any("script-src" in v for v in page.evaluate("window.__cspViolations"))
