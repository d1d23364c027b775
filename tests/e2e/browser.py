"""The browser-test harness: a live daphne (Channels' live server) plus headless Chromium.

``BrowserTestCase`` starts, once per class:

* daphne in a forked child process (``ChannelsLiveServerTestCase``), serving the real ASGI
  application, WebSockets included, on the test database (a file for SQLite, the
  ``test_…`` database for PostgreSQL). The child writes email to files in a temporary
  folder, because Django's ``mail.outbox`` lives in the test process only;
* one headless Chromium through Playwright's sync API.

Each test opens fresh browser contexts (``new_page``), so cookies never leak between tests.
The data a test creates is committed (``TransactionTestCase``) and visible to the server.
"""

from __future__ import annotations

import email
import email.message
import email.policy
import multiprocessing
import os
import re
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any, ClassVar

import pytest
from channels.testing import ChannelsLiveServerTestCase
from daphne.testing import DaphneProcess
from django.conf import settings
from django.db import connections
from django.test.utils import override_settings

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "correct-horse-battery-staple"
# Fail fast: a live server on localhost answers in milliseconds.
DEFAULT_TIMEOUT_MS = 10_000
# How long a test's end waits for the live server to finish the requests it still runs.
SERVER_IDLE_TIMEOUT_S = 30.0

# The live server's HTTP requests still running, counted by the child and read by the test
# process. Each class sets a new counter before it forks its server (see setUpClass).
_server_busy: Any = None


def _ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def chromium_executable() -> str:
    """The Chromium binary to drive; skips the tests (fails them under CI=true) without one."""
    wanted = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    found = shutil.which(wanted)
    if found:
        return found
    reason = (
        f"browser tests need Chromium, but {wanted!r} is not an executable "
        "(install Debian's chromium package or point CHROMIUM= at a Chromium binary)"
    )
    if _ci():
        pytest.fail(f"{reason}; CI=true, so a missing browser is a failure", pytrace=False)
    pytest.skip(reason)


def field(page: Any, label: str) -> Any:
    """The form control labelled exactly ``label`` (required fields add a hidden " *")."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}( \*)?$"))


class LiveServerProcess(DaphneProcess):
    """daphne in the forked child, with Django's async-safety checks switched back on.

    The test process sets DJANGO_ALLOW_ASYNC_UNSAFE for Playwright's sake (see the e2e
    conftest); the server must not inherit it, or a consumer touching the ORM from async
    code would go unnoticed.
    """

    def run(self) -> None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        # Channel layers made earlier in the test process (consumer tests) hold queues bound
        # to that process's event loops; the server builds its own on its own loop.
        from concurrent.futures import ThreadPoolExecutor

        from asgiref.sync import SyncToAsync
        from channels.layers import channel_layers

        channel_layers.backends.clear()
        # Threads do not survive fork: if the test process already used asgiref's shared
        # worker thread (consumer tests do), the child's copy of that executor is dead and
        # every database_sync_to_async call in the server would wait forever.
        SyncToAsync.single_thread_executor = ThreadPoolExecutor(max_workers=1)
        # Between tests the test process flushes the database and post_migrate re-creates
        # content types and permissions under new ids; this long-lived child would keep the
        # old ids in ContentType's cache (django-guardian's assign_perm then finds no
        # permission). Forget them at every request, as a fresh server would; guardian keeps
        # its own cache of them too (get_objects_for_user refuses a stale one with
        # MixedContentTypeError).
        from django.contrib.contenttypes.models import ContentType
        from django.core.signals import request_started
        from guardian.shortcuts import clear_ct_cache

        def forget_content_types(**kwargs: Any) -> None:
            ContentType.objects.clear_cache()
            clear_ct_cache()

        request_started.connect(forget_content_types, weak=False)
        _count_busy_request_threads(_server_busy)
        super().run()


def _count_busy_request_threads(busy: Any) -> None:
    """In the child: count each HTTP request from the moment it takes a request thread until
    it gives the thread back (core.asgi), which is after its answer, its after-response work
    (core.deferred: a post's notices task, which the test settings run at once) and its
    clean-up. The test process waits for zero before it flushes the database, which it could
    not do (PostgreSQL refuses) while a request's transaction is still open."""
    from core.asgi import RequestThreads

    take, give_back = RequestThreads.take, RequestThreads.give_back

    def counted_take(self: RequestThreads) -> Any:
        executor = take(self)
        with busy.get_lock():
            busy.value += 1
        return executor

    def counted_give_back(self: RequestThreads, executor: Any) -> None:
        try:
            give_back(self, executor)
        finally:
            with busy.get_lock():
                busy.value -= 1

    RequestThreads.take = counted_take  # type: ignore[method-assign]
    RequestThreads.give_back = counted_give_back  # type: ignore[method-assign]


class BrowserTestCase(ChannelsLiveServerTestCase):
    ProtocolServerProcess = LiveServerProcess

    _email_dir: ClassVar[Path]
    _class_overrides: ClassVar[override_settings]
    _saved_test_db_name: ClassVar[Any]
    _playwright: ClassVar[Any]
    browser: ClassVar[Any]

    @classmethod
    def setUpClass(cls) -> None:
        executable = chromium_executable()

        # Everything the server process must see is set before it is forked.
        cls._email_dir = Path(tempfile.mkdtemp(prefix="commonplace-e2e-mail-"))
        cls._class_overrides = override_settings(
            EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
            EMAIL_FILE_PATH=str(cls._email_dir),
        )
        cls._class_overrides.enable()
        global _server_busy
        _server_busy = multiprocessing.Value("i", 0)
        # The child points itself at DATABASES["default"]["TEST"]["NAME"] (or "test_" + NAME
        # when unset, which for PostgreSQL would double the prefix: NAME already is the test
        # database here). Pin it to the database this process is actually using.
        db = settings.DATABASES["default"]
        test_conf = db.setdefault("TEST", {})
        cls._saved_test_db_name = test_conf.get("NAME")
        test_conf["NAME"] = connections["default"].settings_dict["NAME"]
        # A forked child must not share this process's open database sockets.
        connections.close_all()
        try:
            super().setUpClass()
        except BaseException:
            cls._undo_class_settings()
            raise

        # Playwright starts after the fork: the child inherits neither its driver nor its loop.
        from playwright.sync_api import sync_playwright

        cls._playwright = sync_playwright().start()
        try:
            cls.browser = cls._playwright.chromium.launch(
                executable_path=executable, headless=True, args=CHROMIUM_ARGS
            )
        except BaseException:
            cls._playwright.stop()
            super().tearDownClass()
            cls._undo_class_settings()
            raise

    @classmethod
    def tearDownClass(cls) -> None:
        try:
            cls.browser.close()
            cls._playwright.stop()
        finally:
            try:
                super().tearDownClass()
            finally:
                cls._undo_class_settings()

    @classmethod
    def _undo_class_settings(cls) -> None:
        cls._class_overrides.disable()
        test_conf = settings.DATABASES["default"]["TEST"]
        test_conf["NAME"] = cls._saved_test_db_name
        shutil.rmtree(cls._email_dir, ignore_errors=True)

    def setUp(self) -> None:
        super().setUp()
        self._contexts: list[Any] = []
        self._open_pages: list[Any] = []
        for leftover in self._email_dir.iterdir():
            leftover.unlink()

    def _fixture_teardown(self) -> None:
        """Let the live server finish what the test's last requests left running (work after
        a response, such as a post's notices) before the database is flushed under it."""
        self.wait_for_idle_server()
        super()._fixture_teardown()

    def wait_for_idle_server(self, timeout: float = SERVER_IDLE_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout
        while _server_busy.value > 0:
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"the live server still runs {_server_busy.value} request(s) "
                    f"{timeout:.0f} s after the test ended"
                )
            time.sleep(0.01)

    def _close_contexts(self) -> None:
        """Called by the e2e conftest after a failure screenshot had its chance."""
        for context in self._contexts:
            context.close()
        self._contexts.clear()
        self._open_pages.clear()

    # --- browser helpers --------------------------------------------------------------------
    def new_page(self, **context_options: Any) -> Any:
        """A page in a fresh browser context: its own cookies, as a separate visitor.

        ``context_options`` go to Playwright's ``new_context`` (``java_script_enabled=False``
        for a visitor without JavaScript)."""
        context = self.browser.new_context(base_url=self.live_server_url, **context_options)
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        self._contexts.append(context)
        page = context.new_page()
        self._open_pages.append(page)
        return page

    def url(self, path: str) -> str:
        return self.live_server_url + path

    def make_user(
        self, email_address: str, *, name: str, password: str = PASSWORD, **profile: Any
    ) -> Any:
        """A verified account; ``profile`` sets other fields (``time_zone="Asia/Tokyo"``)."""
        from accounts.services import user_create_verified

        user, _ = user_create_verified(email=email_address, password=password, name=name, **profile)
        return user

    def sign_in(self, page: Any, email_address: str, password: str = PASSWORD) -> None:
        """Sign in through the real form and wait until the dashboard shows."""
        page.goto(self.url("/accounts/login/"))
        field(page, "Email").fill(email_address)
        field(page, "Password").fill(password)
        page.get_by_role("button", name="Sign In").click()
        page.wait_for_url(self.url("/dashboard/"))

    # --- email ------------------------------------------------------------------------------
    def sent_emails(self) -> list[email.message.EmailMessage]:
        """Messages the live server has sent since this test began, oldest first."""
        messages = []
        files = sorted(self._email_dir.iterdir(), key=lambda p: p.stat().st_mtime_ns)
        for path in files:
            # The file backend writes each message followed by a line of 79 dashes.
            for chunk in re.split(rb"\n-{79}\n", path.read_bytes()):
                if chunk.strip():
                    messages.append(email.message_from_bytes(chunk, policy=email.policy.default))
        return messages

    @staticmethod
    def plain_body(message: email.message.EmailMessage) -> str:
        part = message.get_body(preferencelist=("plain",))
        assert part is not None, f"no text/plain part in {message['Subject']!r}"
        return part.get_content()
