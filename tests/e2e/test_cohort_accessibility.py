"""axe-core scans and the strict CSP on the cohort pages, as each kind of visitor sees them.

One cohort with everything on it (members, a pending request, an open invitation, sessions
past and upcoming, attendance) and a proposal waiting for its second review are set up with
the services; the pages are then opened as the anonymous public, a member, the facilitator
and program staff. Every page must have no serious or critical axe finding, and must raise no
CSP violation, console error or page error while it loads.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e import browser
from tests.e2e.test_accessibility import BLOCKING_IMPACTS, describe
from tests.e2e.test_cohort_journeys import (
    DESIGN,
    approved_cohort,
    import_framework,
    make_staff,
    seat,
)
from tests.e2e.test_content_security_policy import RECORD_VIOLATIONS

pytestmark = pytest.mark.e2e


def build_world(case: browser.BrowserTestCase) -> dict[str, Any]:
    """Preconditions only: accounts, the framework, a busy cohort and a pending proposal."""
    from cohorts import services
    from cohorts.models import CohortReview, Membership, Session
    from competencies.models import Framework

    import_framework()
    fay = case.make_user("fay@example.org", name="Fay Facilitator", time_zone="America/Chicago")
    rae = make_staff(case, "rae@example.org", "Rae Reviewer")
    cal = case.make_user("cal@example.org", name="Cal Member", time_zone="Asia/Tokyo")
    dee = case.make_user("dee@example.org", name="Dee Quiet")
    pat = case.make_user("pat@example.org", name="Pat Pending")

    cohort = approved_cohort(by=fay, staff=rae, title="Partnerships circle")
    seat(cohort, cal, fay)
    seat(cohort, dee, fay)
    # They joined last week, before the first session (participation counts from then).
    Membership.objects.filter(cohort=cohort).update(
        decided_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=7)
    )
    services.membership_join(cohort=cohort, user=pat, message="I'd love to join this term.")
    _, token = services.invitation_create(
        cohort=cohort, by=fay, email="newcomer@example.org", message="Come and learn with us."
    )
    chicago = zoneinfo.ZoneInfo("America/Chicago")
    services.sessions_apply_template(
        cohort=cohort,
        by=fay,
        first_day=dt.datetime.now(chicago).date() - dt.timedelta(days=1),
        start_time=dt.time(18, 0),
        video_url="https://meet.example.org/circle",
    )
    first = Session.objects.filter(cohort=cohort).order_by("starts_at").first()
    services.attendance_record(
        session=first, by=fay, statuses={cal.pk: "present", dee.pk: "absent"}
    )
    services.goal_propose(cohort=cohort, by=cal, title="Co-design with community partners")

    # A proposal on its second round: staff see the form and the first review's history.
    framework = Framework.objects.get(slug="cep")
    proposal = services.cohort_propose(
        by=fay,
        title="Youth voice in service learning",
        areas=[framework.areas.order_by("order").last()],
        description="Young people lead; adults **listen**.",
        term_start=dt.date(2032, 1, 10),
        term_end=dt.date(2032, 4, 30),
        cadence="Monthly, Saturday mornings",
        time_zone="America/Chicago",
        capacity=10,
        join_policy="open",
        **DESIGN,
    )
    services.cohort_submit(cohort=proposal, by=fay)
    services.cohort_review(
        cohort=proposal,
        reviewer=rae,
        decision="request_changes",
        message="Say more about how young people set the agenda.",
        judgements={
            name: ("partly" if name == "democratic" else "met", "A note.")
            for name, _ in CohortReview.CRITERIA
        },
    )
    services.cohort_submit(cohort=proposal, by=fay)
    return {"cohort": cohort, "session": first, "proposal": proposal, "token": token}


class TestCohortAccessibility(browser.BrowserTestCase):
    axe = Axe()

    def setUp(self) -> None:
        super().setUp()
        self.findings: list[str] = []

    def watched_page(self) -> Any:
        """A fresh visitor whose CSP violations, console errors and page errors are kept."""
        page = self.new_page()
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

    def check(self, page: Any, path: str, heading: str) -> None:
        """Open ``path``, then record its CSP violations and blocking axe findings."""
        response = page.goto(self.url(path))
        assert response is not None and response.ok, (path, response and response.status)
        policy = response.header_value("content-security-policy") or ""
        assert "script-src 'self'" in policy, (path, policy)
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        self.scan(page, path)

    def scan(self, page: Any, label: str) -> None:
        """Record the CSP violations and blocking axe findings of the page as it is now."""
        page.wait_for_load_state("load")
        # Read before axe runs: its injected script is ours, not the page's.
        violations = page.evaluate("window.__cspViolations")
        self.findings.extend(f"{label}: CSP {v}" for v in violations)
        results = self.axe.run(page).response["violations"]
        if results:
            # Minor and moderate findings are reported, not failed on.
            print(f"\naxe on {label}:\n{describe(results)}")
        blocking = [v for v in results if v["impact"] in BLOCKING_IMPACTS]
        if blocking:
            self.findings.append(f"axe on {label}:\n{describe(blocking)}")

    def test_public_and_member_pages(self) -> None:
        world = build_world(self)
        slug = world["cohort"].slug

        visitor = self.watched_page()
        self.check(visitor, "/cohorts/", "Communities of practice")
        self.check(visitor, f"/cohorts/{slug}/", "Partnerships circle")
        expect(visitor.get_by_role("link", name="Sign in to ask to join")).to_be_visible()
        self.check(visitor, f"/cohorts/invitations/{world['token']}/", "Partnerships circle")
        expect(visitor.get_by_role("link", name="Create an account")).to_have_count(2)

        member = self.watched_page()
        self.sign_in(member, "cal@example.org")
        self.check(member, f"/cohorts/{slug}/", "Partnerships circle")
        expect(member.get_by_role("heading", name="Our learning goals")).to_be_visible()
        self.check(member, f"/cohorts/{slug}/sessions/", "Sessions")
        self.check(
            member, f"/cohorts/{slug}/sessions/{world['session'].pk}/", world["session"].title
        )
        self.check(member, "/cohorts/calendar/", "Your sessions in your calendar")
        # The invitation as a signed-in person (not the invited address) sees it.
        self.check(member, f"/cohorts/invitations/{world['token']}/", "Partnerships circle")
        assert self.findings == [], "\n".join(self.findings)

    def test_facilitator_and_staff_pages(self) -> None:
        world = build_world(self)
        slug = world["cohort"].slug

        facilitator = self.watched_page()
        self.sign_in(facilitator, "fay@example.org")
        self.check(facilitator, "/cohorts/propose/", "Propose a community of practice")
        # The same form showing its errors.
        facilitator.get_by_role("button", name="Save and submit for review").click()
        expect(facilitator.get_by_role("alert")).to_be_visible()
        self.scan(facilitator, "/cohorts/propose/ (with errors)")
        self.check(facilitator, f"/cohorts/{slug}/", "Partnerships circle")
        expect(facilitator.get_by_role("region", name="Facilitator actions")).to_be_visible()
        self.check(
            facilitator, f"/cohorts/{slug}/sessions/{world['session'].pk}/", world["session"].title
        )
        expect(facilitator.get_by_role("link", name="Record attendance")).to_be_visible()
        self.check(facilitator, f"/cohorts/{slug}/console/", "Facilitator console")
        expect(facilitator.get_by_role("region", name="Requests to join")).to_contain_text(
            "Pat Pending"
        )
        self.check(
            facilitator,
            f"/cohorts/{slug}/sessions/{world['session'].pk}/attendance/",
            "Attendance",
        )
        self.check(facilitator, f"/cohorts/{slug}/sessions/new/", "Schedule a session")
        self.check(facilitator, f"/cohorts/{slug}/participation/", "Participation")
        expect(facilitator.get_by_text("1 member has been quiet lately")).to_be_visible()

        staff = self.watched_page()
        self.sign_in(staff, "rae@example.org")
        self.check(staff, "/cohorts/reviews/", "Cohorts awaiting review")
        proposal = world["proposal"]
        self.check(staff, f"/cohorts/{proposal.slug}/review/", f"Review: {proposal.title}")
        expect(staff.get_by_role("region", name="Review history")).to_contain_text(
            "Say more about how young people set the agenda."
        )
        assert self.findings == [], "\n".join(self.findings)
