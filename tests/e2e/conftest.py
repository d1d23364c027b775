"""Browser tests: Playwright (sync API) driving the system Chromium against a live daphne.

The harness itself lives in ``tests/e2e/browser.py``; this file holds what pytest needs to
see: the async-safety switch for the test process and the screenshot-on-failure hook.
"""

from __future__ import annotations

import os
import re
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(autouse=True, scope="class")
def _allow_orm_beside_playwright() -> Generator[None]:
    """Playwright's sync API keeps an event loop running on the main thread, which makes
    Django's async-safety check refuse the ORM calls a browser test makes itself.

    The switch is on only while browser tests run, so the rest of the suite (consumer tests
    especially) keeps the check; the live server child process drops it again (see
    browser.LiveServerProcess), so application code is checked there too.
    """
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    setattr(item, f"_e2e_report_{report.when}", report)
    return report


@pytest.fixture(autouse=True)
def _screenshot_on_failure(request: pytest.FixtureRequest) -> Generator[None]:
    """Save a full-page screenshot and the page's HTML into test-artifacts/ when a browser
    test fails. Runs after unittest's tearDown, so the harness keeps pages open until here."""
    yield
    instance = request.instance
    if instance is None or not hasattr(instance, "_open_pages"):
        return
    report = getattr(request.node, "_e2e_report_call", None)
    try:
        if report is not None and report.failed:
            ARTIFACTS.mkdir(exist_ok=True)
            stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
            for n, page in enumerate(instance._open_pages):
                if page.is_closed():
                    continue
                suffix = f"-{n}" if n else ""
                try:
                    page.screenshot(path=str(ARTIFACTS / f"{stem}{suffix}.png"), full_page=True)
                    (ARTIFACTS / f"{stem}{suffix}.html").write_text(page.content())
                except Exception as exc:  # a failed capture must not mask the failure
                    print(f"could not capture {stem}{suffix}: {exc}")
    finally:
        instance._close_contexts()
