"""The one set of shared fixtures: role accounts, signed-in clients, the framework, isolated
caches; the object factories (cohorts, seats, sessions, threads, posts) are in
``tests/factories.py`` and registered here for every test folder.

Roles (each a distinct verified account; cohort roles come from ``seat``/``make_cohort``):
- ``member`` Mei Member, ``outsider`` Olivia Outsider: plain accounts;
- ``facilitator`` Fay Facilitator (she/her), ``cofacilitator`` Diego Cofacilitator: plain
  accounts that facilitate the cohorts the factories build for them;
- ``staff`` Sam Staff (Program staff), ``reviewer`` Rene Reviewer (Review board),
  ``provider`` Tove Provider (Training provider).
Clients: ``signed_in(user)``, ``member_client``, ``fac_client`` (``facilitator``),
``client_for(user_or_None)``, ``anon``; ``api(user_or_None)`` an authenticated DRF client.
"""

from __future__ import annotations

import gc
import io
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from accounts.roles import PlatformRole
from accounts.services import role_grant, user_create_verified
from tests.factories import (  # noqa: F401  (fixtures, registered for every folder by name)
    active_cohort,
    active_cohort_member,
    add_members,
    add_session,
    cohort,
    enrollment_period,
    make_active_cohort,
    make_cohort,
    make_post,
    make_thread,
    other_thread,
    partnerships,
    people,
    seat,
    thread,
)

PASSWORD = "correct-horse-battery-staple"


def pytest_collection_finish(session: pytest.Session) -> None:
    """Tune the collector for a long test run: the modules, URL patterns and test items
    made so far live until the end, so they are frozen out of every later collection, and
    collections run less often (the default, every 700 allocations, spent much of the
    schemathesis contract tests' time re-scanning a heap grown by the tests before them).
    Only when collections happen changes; what is collected does not."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 50, 100)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """How `make test` shares the tests among its workers (pytest-xdist, ``--dist
    loadgroup``): each module goes to one worker whole, so the live servers and browsers a
    module or class starts are started once; the multi-process tests of tests/services
    (their servers and task workers share one Redis queue) all go to one worker, one after
    another. Each worker has its own test database, cache and channel key space (see the
    settings), so nothing else is shared. Without xdist this does nothing."""
    if not config.pluginmanager.hasplugin("xdist"):
        return
    for item in items:
        if item.get_closest_marker("xdist_group") is not None:
            continue
        module = item.nodeid.split("::", 1)[0]
        group = "services" if module.startswith("tests/services/") else module
        item.add_marker(pytest.mark.xdist_group(group))


def _long_first(item: pytest.Item) -> int:
    group = item.get_closest_marker("xdist_group")
    name = str(group.args[0]) if group is not None and group.args else ""
    if "api-contract" in name:
        return 0
    if name == "services":
        return 1
    return 2 if item.nodeid.startswith("tests/e2e/") else 3


class _LongestFirst:
    """In a test worker, the groups that take longest (the API contract shards, the
    multi-process tests, the browser tests) are queued first (with ``--no-loadscope-reorder``
    the queue keeps this order), so no worker is left with a long group at the end while
    the others wait. A stable sort, after pytest-django's own ordering; a run in one process
    keeps the usual order."""

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        items.sort(key=_long_first)


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):
        config.pluginmanager.register(_LongestFirst(), "commonplace-longest-first")


@pytest.fixture(autouse=True)
def _isolated_cache(settings: Any) -> None:
    """A fresh cache key space per test, so rate-limit counters never leak between tests
    (and a shared Redis is never flushed)."""
    caches = {name: dict(conf) for name, conf in django_settings.CACHES.items()}
    for conf in caches.values():
        conf["KEY_PREFIX"] = f"t-{uuid.uuid4().hex[:12]}"
    settings.CACHES = caches


@pytest.fixture(autouse=True)
def _no_work_left_for_after_a_response() -> Iterator[None]:
    """A response a test never closed (a streamed body left unread) does not hand its
    after-the-response work (core.deferred) to the next test's request on this thread."""
    yield
    from core import deferred

    deferred._local.pending = None


@pytest.fixture(autouse=True)
def _isolated_media(settings: Any, tmp_path_factory: Any) -> None:
    """Uploads made by a test (the demo seeder's files included) go to a temporary folder,
    never into the checkout's media/."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture
def make_user(db: Any) -> Callable[..., User]:
    counter = {"n": 0}

    def make(email: str | None = None, *, role: PlatformRole | None = None, **fields: Any) -> User:
        counter["n"] += 1
        email = email or f"person{counter['n']}-{uuid.uuid4().hex[:6]}@example.org"
        fields.setdefault("name", f"Person {counter['n']}")
        user, _ = user_create_verified(email=email, password=PASSWORD, **fields)
        if role is not None:
            role_grant(user=user, role=role)
        return user

    return make


@pytest.fixture
def member(make_user: Callable[..., User]) -> User:
    return make_user("member@example.org", name="Mei Member")


@pytest.fixture
def outsider(make_user: Callable[..., User]) -> User:
    return make_user("outsider@example.org", name="Olivia Outsider")


@pytest.fixture
def staff(make_user: Callable[..., User]) -> User:
    return make_user("staff@example.org", name="Sam Staff", role=PlatformRole.PROGRAM_STAFF)


@pytest.fixture
def reviewer(make_user: Callable[..., User]) -> User:
    return make_user("reviewer@example.org", name="Rene Reviewer", role=PlatformRole.REVIEW_BOARD)


@pytest.fixture
def provider(make_user: Callable[..., User]) -> User:
    return make_user(
        "provider@example.org", name="Tove Provider", role=PlatformRole.TRAINING_PROVIDER
    )


@pytest.fixture
def facilitator(make_user: Callable[..., User]) -> User:
    return make_user("facilitator@example.org", name="Fay Facilitator", pronouns="she/her")


@pytest.fixture
def cofacilitator(make_user: Callable[..., User]) -> User:
    return make_user("cofacilitator@example.org", name="Diego Cofacilitator")


@pytest.fixture
def signed_in(db: Any) -> Callable[[User], Client]:
    def sign_in(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def member_client(member: User, signed_in: Callable[[User], Client]) -> Client:
    return signed_in(member)


@pytest.fixture
def fac_client(facilitator: User, signed_in: Callable[[User], Client]) -> Client:
    return signed_in(facilitator)


@pytest.fixture
def anon() -> Client:
    return Client()


@pytest.fixture
def client_for(signed_in: Callable[[User], Client]) -> Callable[[User | None], Client]:
    """A page client for ``user``, or an anonymous one for ``None``."""

    def make(user: User | None) -> Client:
        return Client() if user is None else signed_in(user)

    return make


@pytest.fixture
def api() -> Callable[[User | None], APIClient]:
    """``api(user)``: a DRF client authenticated as ``user`` (anonymous for ``None``)."""

    def make(user: User | None = None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def framework(db: Any) -> Any:
    """The shipped CEP framework, imported through the real command."""
    from competencies.models import Framework

    call_command("import_framework", stdout=io.StringIO())
    return Framework.objects.get(slug="cep")


@pytest.fixture
def task_worker(settings: Any) -> Callable[[], None]:
    """Tasks go to the real database queue (not run at once, as elsewhere in the tests);
    the returned function runs django_tasks_db's worker until the queue is empty."""
    import signal

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    def run() -> None:
        saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
        try:
            call_command(
                "db_worker", "--batch", "--no-reload", "--no-startup-delay",
                verbosity=0, stdout=io.StringIO(),
            )  # fmt: skip
        finally:
            for sig, handler in saved.items():
                signal.signal(sig, handler)

    return run
