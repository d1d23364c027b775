"""A new app plugs into the demo data, the dashboard and the participation view by
registering in its AppConfig.ready: nothing in accounts, cohorts, discussions or dashboard
changes."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.template import Template
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from core import registry

pytestmark = pytest.mark.django_db


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", "--force", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def fake_seeder() -> Iterator[list[tuple[str, Any]]]:
    calls: list[tuple[str, Any]] = []

    def demo(run: registry.SeedRun) -> None:
        calls.append(("demo", User.objects.filter(email="facilitator@example.org").exists()))
        run.write("Demo field notes: 3 created.")

    def scale(run: registry.SeedRun) -> None:
        calls.append(("scale", len(run.synthetic["users"])))
        run.synthetic["field notes"] = ["a", "b"]

    registry.register_seeder("fieldnotes", demo, scale=scale, after=("accounts",))
    yield calls
    registry.unregister_seeder("fieldnotes")


def test_seed_demo_runs_the_seeder_a_new_app_registers(
    fake_seeder: list[tuple[str, Any]],
) -> None:
    out = seed("--scale", "1")
    assert "Demo field notes: 3 created." in out
    assert fake_seeder == [("demo", True), ("scale", 50)]
    assert (
        "Synthetic volume: 50 users and 2 cohorts and 500 resources and 500 journal entries "
        "and 2 field notes added." in out
    )
    registry.unregister_seeder("fieldnotes")
    assert "Demo field notes" not in seed()


def test_seeders_run_after_those_they_name() -> None:
    names = [s.name for s in registry.seeders()]
    assert names == [
        *("accounts", "competencies", "cohorts", "discussions", "resources", "trainings"),
        "journals",
        "packets",
        "packets.parts",
        "packets.letters",
    ]
    registry.register_seeder("early", lambda run: None, after=("discussions",))
    registry.register_seeder("first", lambda run: None)
    try:
        names = [s.name for s in registry.seeders()]
        assert names.index("early") > names.index("discussions")
        registry.register_seeder("orphan", lambda run: None, after=("nowhere",))
        with pytest.raises(ValueError, match="nowhere"):
            registry.seeders()
    finally:
        for name in ("early", "first", "orphan"):
            registry.unregister_seeder(name)


def test_a_name_taken_by_other_code_is_refused() -> None:
    (accounts,) = (s for s in registry.seeders() if s.name == "accounts")
    registry.register_seeder("accounts", accounts.demo, scale=accounts.scale)  # same: harmless
    with pytest.raises(ValueError, match="accounts"):
        registry.register_seeder("accounts", lambda run: None)
    with pytest.raises(ValueError, match="posts"):
        registry.register_participation_source(
            registry.ParticipationSource("posts", "Other posts", lambda cohort: {})
        )
    with pytest.raises(ValueError, match=r"cohorts\.mine"):
        registry.register_panel(registry.Panel("cohorts.mine", "dashboard/dashboard.html"))


@pytest.fixture
def fake_panel() -> Iterator[registry.Panel]:
    panel = registry.Panel(
        "journals.due",
        Template('<section class="card"><h2>Journal</h2>{{ journal_due }} entries due</section>'),
        lambda user: {"journal_due": len(user.display_name)},
        order=25,
    )
    registry.register_panel(panel)
    yield panel
    registry.unregister_panel(panel.name)


def test_the_dashboard_shows_a_panel_a_new_app_registers(
    fake_panel: registry.Panel, member: User, member_client: Client
) -> None:
    page = member_client.get(reverse("dashboard:home")).content.decode()
    assert f"{len(member.display_name)} entries due" in page
    # in its order: after the next sessions (20), before the unread threads (40)
    assert page.index("Next session") < page.index("entries due") < page.index("Unread threads")
    registry.unregister_panel("journals.due")
    assert "entries due" not in member_client.get(reverse("dashboard:home")).content.decode()


def test_the_dashboard_shows_every_app_panel_in_a_fixed_number_of_queries(
    member: User, member_client: Client
) -> None:
    page = member_client.get(reverse("dashboard:home")).content.decode()
    headings = ["My cohorts", "Next session", "Unread threads"]
    positions = [page.index(h) for h in headings]
    assert positions == sorted(positions)
    with CaptureQueriesContext(connection) as ctx:
        member_client.get(reverse("dashboard:home"))
    # session, user, my cohorts, next sessions, the user's groups, open reflection prompts,
    # unread threads, new resources in my cohorts, upcoming trainings, application packets
    # and the header's unread count: one query per panel
    assert len(ctx.captured_queries) == 11
