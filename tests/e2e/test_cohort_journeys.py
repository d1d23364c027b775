"""Cohorts in Chromium, the way people use them: propose, review and approve a cohort; ask to
join and be accepted; schedule sessions and take attendance; and the doors that stay shut.

Only preconditions are made with services (accounts, the program-staff role, the framework,
and for the later journeys an approved cohort); every step a person takes is a click or a
keystroke in the real pages.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zoneinfo
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.e2e import browser
from tests.e2e.browser import field

pytestmark = pytest.mark.e2e

DESIGN = {
    "design_knowledge": "Every session opens with a member sharing a practice story.",
    "design_learning": "Facilitators bring their own open questions and rotate out of leading.",
    "design_identities": "Members choose how to share: story, image, framework or data.",
    "design_democratic": "Members propose and vote on goals and shape each agenda.",
}
PRINCIPLES = (
    "Everyone has knowledge to share",
    "Everyone has learning to do",
    "Many identities and ways of knowing are encouraged and woven in",
    "The design is democratic",
)
NOT_FOUND = "We couldn\u2019t find that page"  # the typographic apostrophe
# The format the cohort pages print a session's start in (Django's "D j M Y, H:i").
WHEN = "%a %-d %b %Y, %H:%M"


# --- preconditions (services only) ----------------------------------------------------------
def import_framework() -> Any:
    from competencies.models import Framework

    call_command("import_framework", stdout=io.StringIO())
    return Framework.objects.get(slug="cep")


def make_staff(case: browser.BrowserTestCase, email_address: str, name: str) -> Any:
    from accounts.roles import PlatformRole
    from accounts.services import role_grant

    user = case.make_user(email_address, name=name)
    role_grant(user=user, role=PlatformRole.PROGRAM_STAFF)
    return user


def approved_cohort(
    *,
    by: Any,
    staff: Any,
    title: str,
    listed: bool = True,
    join_policy: str = "request",
    **extra: Any,
) -> Any:
    """A cohort proposed by ``by`` and approved by ``staff``, through the real services."""
    from cohorts import services
    from cohorts.models import CohortReview
    from competencies.models import Framework

    framework = Framework.objects.get(slug="cep")
    fields = {
        "description": "We learn **together** about reciprocal partnerships.",
        "term_start": dt.date(2031, 9, 1),
        "term_end": dt.date(2031, 12, 15),
        "cadence": "Every other Tuesday, 90 minutes",
        "time_zone": "America/Chicago",
        "capacity": 12,
        "join_policy": join_policy,
        "listed": listed,
        **DESIGN,
        **extra,
    }
    cohort = services.cohort_propose(
        by=by, title=title, areas=[framework.areas.order_by("order").first()], **fields
    )
    services.cohort_submit(cohort=cohort, by=by)
    services.cohort_review(
        cohort=cohort,
        reviewer=staff,
        decision="approve",
        message="A thoughtful design.",
        judgements={name: ("met", "") for name, _ in CohortReview.CRITERIA},
    )
    cohort.refresh_from_db()
    return cohort


def seat(cohort: Any, user: Any, facilitator: Any) -> None:
    """``user`` asks to join and ``facilitator`` accepts (the real way in)."""
    from cohorts import services

    membership = services.membership_join(cohort=cohort, user=user)
    services.membership_accept(membership=membership, by=facilitator)


# --- page helpers ---------------------------------------------------------------------------
def judge(page: Any, principle: str, judgement: str, note: str = "") -> None:
    group = page.get_by_role("group", name=f"Judgement on “{principle}”", exact=True)
    group.get_by_label(judgement, exact=True).check()
    if note:
        number = PRINCIPLES.index(principle) + 1
        criterion = page.get_by_role("group", name=f"{number}. {principle}", exact=True)
        field(criterion, "Note").fill(note)


class TestCohortJourneys(browser.BrowserTestCase):
    def test_facilitator_proposes_staff_requests_changes_then_approves(self) -> None:
        from cohorts.models import Cohort

        framework = import_framework()
        area = framework.areas.order_by("order").first()
        self.make_user("fay@example.org", name="Fay Facilitator", time_zone="America/Chicago")
        make_staff(self, "rae@example.org", "Rae Reviewer")
        title = "Reciprocal partnerships in practice"

        # The facilitator finds "Propose" from the directory and fills every required field.
        fay = self.new_page()
        self.sign_in(fay, "fay@example.org")
        fay.get_by_role("navigation", name="Main").get_by_role(
            "link", name="Communities of practice"
        ).click()
        fay.get_by_role("link", name="Propose a community of practice").first.click()
        expect(fay.get_by_role("heading", level=1)).to_have_text("Propose a community of practice")
        field(fay, "Title").fill(title)
        field(fay, "Description").fill(
            "For community partners and faculty who want to **share** what works."
        )
        fay.get_by_role("group", name="Focus credential areas").get_by_label(
            area.name, exact=True
        ).check()
        field(fay, "Term starts").fill("2031-09-01")
        field(fay, "Term ends").fill("2031-12-15")
        field(fay, "Meeting cadence").fill("Every other Tuesday, 90 minutes")
        field(fay, "Time zone").select_option("America/Chicago")
        field(fay, "Capacity").fill("12")
        fay.get_by_label("By request: facilitators accept members").check()
        expect(field(fay, "List in the public directory")).to_be_checked()
        field(fay, "How will everyone share knowledge?").fill(DESIGN["design_knowledge"])
        field(fay, "How will everyone keep learning?").fill(DESIGN["design_learning"])
        field(fay, "How will identities and ways of knowing be woven in?").fill(
            DESIGN["design_identities"]
        )
        field(fay, "How is the design democratic?").fill("Facilitators set the goals.")
        fay.get_by_role("button", name="Save as draft").click()

        # Saved as a draft: the cohort's own page, with the facilitator's buttons.
        expect(fay.get_by_role("heading", level=1)).to_have_text(title)
        expect(fay.get_by_text("Saved as a draft.")).to_be_visible()
        cohort = Cohort.objects.get(title=title)
        assert cohort.state == Cohort.State.DRAFT
        assert list(cohort.focus_areas.all()) == [area]
        assert (cohort.term_start, cohort.capacity, cohort.join_policy) == (
            dt.date(2031, 9, 1),
            12,
            "request",
        )
        fay.get_by_role("button", name="Submit for review").click()
        expect(fay.get_by_text("Your proposal is submitted.")).to_be_visible()
        expect(fay.locator(".cohort-head")).to_contain_text("Submitted")

        # Program staff, in their own browser, open the queue and the proposal.
        rae = self.new_page()
        self.sign_in(rae, "rae@example.org")
        rae.goto(self.url("/cohorts/reviews/"))
        expect(rae.get_by_role("heading", level=1)).to_have_text("Cohorts awaiting review")
        queue_row = rae.get_by_role("row").filter(has_text=title)
        expect(queue_row).to_contain_text("Fay Facilitator")
        expect(queue_row).to_contain_text(area.name)
        queue_row.get_by_role("link", name=title).click()
        expect(rae.get_by_role("heading", level=1)).to_have_text(f"Review: {title}")
        expect(rae.get_by_role("region", name="The proposal")).to_contain_text(
            "Facilitators set the goals."
        )
        for principle in PRINCIPLES[:3]:
            judge(rae, principle, "Holds")
        judge(
            rae,
            PRINCIPLES[3],
            "Does not hold yet",
            note="Members have no say in the goals yet.",
        )
        rae.get_by_label("Request changes", exact=True).check()
        request = "Please let members choose the goals together, then resubmit."
        field(rae, "Message to the facilitators").fill(request)
        rae.get_by_role("button", name="Record the review").click()
        expect(rae.get_by_text("Review recorded: request changes.")).to_be_visible()
        expect(rae.get_by_text("No proposals are waiting for review.")).to_be_visible()

        # The facilitator hears about it: a notification, an e-mail, and the review history.
        fay.reload()
        notifications = fay.get_by_role("navigation", name="Account").get_by_role(
            "link", name=re.compile("^Notifications")
        )
        expect(notifications).to_contain_text("1 unread")
        notifications.click()
        note = fay.locator(".notification").filter(has_text="request changes")
        expect(note).to_contain_text(f"Review of “{title}”: request changes")
        expect(note).to_contain_text(request)
        mails = [m for m in self.sent_emails() if m["To"] == "fay@example.org"]
        assert len(mails) == 1 and request in self.plain_body(mails[0]), mails
        # Opening it from the inbox (a POST) marks it read and goes to the proposal.
        note.get_by_role("button", name=f"Review of “{title}”: request changes", exact=True).click()
        expect(fay.get_by_role("heading", level=1)).to_have_text(title)
        expect(fay.get_by_text("Program staff asked for changes")).to_be_visible()
        history = fay.get_by_role("region", name="Review history")
        expect(history).to_contain_text("Changes requested")
        expect(history).to_contain_text(request)
        expect(history).to_contain_text("Members have no say in the goals yet.")

        # ...revises the design and submits again from the edit form.
        fay.get_by_role("link", name="Edit the proposal").click()
        expect(fay.get_by_role("heading", level=1)).to_have_text("Edit the proposal")
        expect(field(fay, "Title")).to_have_value(title)
        field(fay, "How is the design democratic?").fill(DESIGN["design_democratic"])
        fay.get_by_role("button", name="Save and submit for review").click()
        expect(fay.get_by_text("Your proposal is submitted.")).to_be_visible()
        expect(fay.locator(".cohort-head")).to_contain_text("Submitted")

        # Staff hear about the resubmission in-app and open the review from there.
        rae.reload()
        rae.get_by_role("navigation", name="Account").get_by_role(
            "link", name=re.compile("^Notifications")
        ).click()
        # Both submissions are there, unread (staff went to the queue the first time).
        submitted = rae.locator(".notification--unread").get_by_role(
            "button", name=f"New cohort to review: {title}", exact=True
        )
        expect(submitted).to_have_count(2)
        submitted.first.click()
        expect(rae.get_by_role("heading", level=1)).to_have_text(f"Review: {title}")
        expect(rae.get_by_role("region", name="Review history")).to_contain_text(request)
        expect(rae.get_by_role("region", name="The proposal")).to_contain_text(
            DESIGN["design_democratic"]
        )
        for principle in PRINCIPLES:
            judge(rae, principle, "Holds")
        rae.get_by_label("Approve", exact=True).check()
        field(rae, "Message to the facilitators").fill("Thank you: approved.")
        rae.get_by_role("button", name="Record the review").click()
        expect(rae.get_by_text("Review recorded: approve.")).to_be_visible()

        # The facilitator sees it approved, with both reviews in the history.
        fay.reload()
        expect(fay.locator(".cohort-head")).to_contain_text("Approved")
        expect(fay.get_by_role("region", name="Review history").locator("h3")).to_have_count(2)
        expect(fay.get_by_role("button", name="Start the cohort (make it active)")).to_be_visible()
        expect(fay.get_by_role("link", name="Edit the proposal")).to_have_count(0)

        # Anyone can now find it in the public directory and read its about page.
        visitor = self.new_page()
        visitor.goto(self.url("/cohorts/"))
        card = visitor.locator(".cohort-card").filter(has_text=title)
        expect(card).to_contain_text("Fay Facilitator")
        expect(card).to_contain_text("Join by request")
        card.get_by_role("link", name=title).click()
        expect(visitor.get_by_role("heading", level=1)).to_have_text(title)
        expect(visitor.locator(".cohort-head")).to_contain_text("Approved")
        expect(visitor.get_by_role("link", name="Sign in to ask to join")).to_be_visible()
        # Reviews are for staff and facilitators only.
        expect(visitor.get_by_role("region", name="Review history")).to_have_count(0)
        assert Cohort.objects.get(pk=cohort.pk).state == Cohort.State.APPROVED

    def test_member_asks_to_join_and_the_facilitator_accepts(self) -> None:
        from cohorts.models import Membership

        import_framework()
        fay = self.make_user("fay@example.org", name="Fay Facilitator")
        staff = make_staff(self, "rae@example.org", "Rae Reviewer")
        cohort = approved_cohort(by=fay, staff=staff, title="Partnerships circle")
        cal = self.make_user("cal@example.org", name="Cal Member")

        # The member finds the cohort in the directory and asks to join, with a note.
        member = self.new_page()
        self.sign_in(member, "cal@example.org")
        member.get_by_role("navigation", name="Main").get_by_role(
            "link", name="Communities of practice"
        ).click()
        member.get_by_role("link", name="Partnerships circle").click()
        expect(member.get_by_role("heading", level=1)).to_have_text("Partnerships circle")
        expect(member.get_by_role("heading", name="Our learning goals")).to_have_count(0)
        note = "I coordinate service-learning at a community college and would love to learn."
        field(member, "A note to the facilitators (optional)").fill(note)
        member.get_by_role("button", name="Ask to join").click()
        expect(member.get_by_text("Your request is sent.")).to_be_visible()
        expect(member.get_by_text("You asked to join on")).to_be_visible()
        expect(member.get_by_role("button", name="Withdraw my request")).to_be_visible()

        # The facilitator opens the console from the cohort page and reads the request.
        facilitator = self.new_page()
        self.sign_in(facilitator, "fay@example.org")
        facilitator.get_by_role("region", name="My cohorts").get_by_role(
            "link", name="Partnerships circle"
        ).click()
        facilitator.get_by_role("link", name="Facilitator console").click()
        expect(facilitator.get_by_role("heading", level=1)).to_contain_text("Facilitator console")
        requests = facilitator.get_by_role("region", name="Requests to join")
        request = requests.get_by_role("listitem").filter(has_text="Cal Member")
        expect(request.locator("blockquote")).to_have_text(note)
        field(request, "Message to Cal Member (optional)").fill("Welcome, Cal!")
        request.get_by_role("button", name="Accept").click()
        expect(facilitator.get_by_text("Cal Member is now a member.")).to_be_visible()
        expect(requests).to_contain_text("No one is waiting for an answer.")
        people = facilitator.get_by_role("region", name="People")
        expect(people.get_by_role("link", name="Cal Member", exact=True)).to_be_visible()

        # The member now lands on the cohort's home, not its about page.
        member.reload()
        expect(member.get_by_role("heading", level=1)).to_have_text("Partnerships circle")
        expect(member.get_by_role("heading", name="Our learning goals")).to_be_visible()
        expect(member.get_by_role("heading", name="Next session")).to_be_visible()
        expect(member.get_by_role("form", name="Propose a goal")).to_be_visible()
        expect(member.get_by_role("button", name="Ask to join")).to_have_count(0)
        expect(member.get_by_role("button", name="Leave this cohort")).to_be_visible()
        expect(member.get_by_role("link", name="Facilitator console")).to_have_count(0)
        membership = Membership.objects.get(cohort=cohort, user=cal)
        assert membership.status == Membership.Status.ACTIVE

    def test_facilitator_schedules_sessions_and_takes_attendance(self) -> None:
        from cohorts.models import Attendance, Membership, Session

        import_framework()
        chicago = zoneinfo.ZoneInfo("America/Chicago")
        tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
        fay = self.make_user("fay@example.org", name="Fay Facilitator", time_zone="America/Chicago")
        staff = make_staff(self, "rae@example.org", "Rae Reviewer")
        cohort = approved_cohort(by=fay, staff=staff, title="Partnerships circle")
        cal = self.make_user("cal@example.org", name="Cal Member", time_zone="Asia/Tokyo")
        dee = self.make_user("dee@example.org", name="Dee Quiet", time_zone="America/Chicago")
        seat(cohort, cal, fay)
        seat(cohort, dee, fay)
        # Everyone joined last week, before the first session (attendance screens list
        # people only for the sessions held after they joined).
        Membership.objects.filter(cohort=cohort).update(
            decided_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=7)
        )

        # The facilitator lays out the six-session outline: the first one was yesterday.
        facilitator = self.new_page()
        self.sign_in(facilitator, "fay@example.org")
        facilitator.goto(self.url(cohort.get_absolute_url()))
        facilitator.get_by_role("link", name="Facilitator console").click()
        sessions_region = facilitator.get_by_role("region", name="Sessions")
        outline = sessions_region.get_by_role("group", name="Six-session outline")
        first_day = dt.datetime.now(chicago).date() - dt.timedelta(days=1)
        field(outline, "First session on").fill(first_day.isoformat())
        field(outline, "Starting at").fill("18:00")
        field(outline, "How often").select_option("fortnightly")
        field(outline, "Length in minutes").fill("90")
        sessions_region.get_by_role("button", name="Show the six dates").click()
        facilitator.get_by_role("button", name=re.compile(r"^Schedule ")).click()
        expect(facilitator.get_by_text("6 sessions are scheduled.")).to_be_visible()
        upcoming = facilitator.get_by_role("table", name="Upcoming sessions")
        past = facilitator.get_by_role("table", name="Past sessions")
        expect(upcoming.locator("tbody tr")).to_have_count(5)
        expect(past.locator("tbody tr")).to_have_count(1)

        # ...and schedules one more session by hand, planned in London time.
        facilitator.get_by_role("link", name="Schedule a session").first.click()
        expect(field(facilitator, "Time zone")).to_have_value("America/Chicago")
        field(facilitator, "Title").fill("Extra: consulting hour")
        field(facilitator, "Time zone").select_option("Europe/London")
        field(facilitator, "Starts").fill("2031-10-07T17:00")
        field(facilitator, "Ends").fill("2031-10-07T18:00")
        field(facilitator, "Video link").fill("https://meet.example.org/consult")
        field(facilitator, "Agenda").fill("- One member brings a challenge")
        facilitator.get_by_role("button", name="Schedule session").click()
        expect(facilitator.get_by_role("heading", level=1)).to_have_text("Extra: consulting hour")
        expect(facilitator.get_by_text("“Extra: consulting hour” is scheduled")).to_be_visible()
        extra = Session.objects.get(title="Extra: consulting hour")
        london_start = dt.datetime(2031, 10, 7, 17, 0, tzinfo=zoneinfo.ZoneInfo("Europe/London"))
        assert extra.starts_at == london_start
        when = facilitator.locator("dl.facts dd").first
        expect(when).to_contain_text(london_start.astimezone(chicago).strftime(WHEN))
        expect(when).to_contain_text("America/Chicago")

        # Attendance for the session held yesterday: one present, one absent, one submit.
        facilitator.get_by_role("navigation", name="Breadcrumb").get_by_role(
            "link", name="Partnerships circle"
        ).click()
        facilitator.get_by_role("link", name="Facilitator console").click()
        first = Session.objects.filter(cohort=cohort).order_by("starts_at").first()
        past.get_by_role("row").filter(has_text=first.title).get_by_role(
            "link", name="Attendance"
        ).click()
        expect(facilitator.get_by_role("heading", level=1)).to_contain_text("Attendance")
        facilitator.get_by_label("Cal Member: Present").check()
        facilitator.get_by_label("Dee Quiet: Absent").check()
        facilitator.get_by_role("button", name="Save attendance", exact=True).click()
        expect(facilitator.get_by_text("Attendance saved for 2 people.")).to_be_visible()
        recorded = dict(
            Attendance.objects.filter(session=first).values_list("user__email", "status")
        )
        assert recorded == {"cal@example.org": "present", "dee@example.org": "absent"}

        # Opening the screen again shows the saved choices; the blank row stays blank.
        past.get_by_role("row").filter(has_text=first.title).get_by_role(
            "link", name="Attendance"
        ).click()
        expect(facilitator.get_by_text("recorded for 2 people so far")).to_be_visible()
        expect(facilitator.get_by_label("Cal Member: Present")).to_be_checked()
        expect(facilitator.get_by_label("Dee Quiet: Absent")).to_be_checked()
        for choice in ("Present", "Absent", "Excused"):
            expect(facilitator.get_by_label(f"Fay Facilitator: {choice}")).not_to_be_checked()
        facilitator.reload()
        expect(facilitator.get_by_label("Cal Member: Present")).to_be_checked()

        # The participation view notices the quiet member.
        facilitator.goto(self.url(f"/cohorts/{cohort.slug}/console/"))
        facilitator.get_by_role("link", name="Participation view").click()
        expect(facilitator.get_by_role("heading", level=1)).to_contain_text("Participation")
        expect(facilitator.get_by_text("1 member has been quiet lately")).to_be_visible()

        # The next session as each of them sees it: the same moment, in their own zones.
        second = Session.objects.filter(cohort=cohort).order_by("starts_at")[1]
        expected_start = dt.datetime.combine(
            first_day + dt.timedelta(days=14), dt.time(18, 0), tzinfo=chicago
        )
        assert second.starts_at == expected_start
        in_chicago = expected_start.astimezone(chicago).strftime(WHEN)
        in_tokyo = expected_start.astimezone(tokyo).strftime(WHEN)
        assert in_chicago != in_tokyo

        facilitator.goto(self.url(cohort.get_absolute_url()))
        next_up = facilitator.get_by_role("region", name="Next session")
        expect(next_up).to_contain_text(second.title)
        expect(next_up).to_contain_text(in_chicago)
        expect(next_up).to_contain_text("(America/Chicago)")

        member = self.new_page()
        self.sign_in(member, "cal@example.org")
        member.get_by_role("region", name="My cohorts").get_by_role(
            "link", name="Partnerships circle"
        ).click()
        next_up = member.get_by_role("region", name="Next session")
        expect(next_up).to_contain_text(second.title)
        expect(next_up).to_contain_text(in_tokyo)
        expect(next_up).to_contain_text("(Asia/Tokyo)")
        expect(next_up).not_to_contain_text(in_chicago)

        # The sessions page lists them all in Tokyo time; a session page shows both zones.
        member.get_by_role("link", name="All sessions").click()
        expect(member.get_by_role("heading", level=1)).to_have_text("Sessions")
        expect(member.get_by_text("Times are shown in your time zone, Asia/Tokyo.")).to_be_visible()
        item = member.locator(".session-item").filter(has_text=second.title)
        expect(item).to_contain_text(in_tokyo)
        expect(member.get_by_role("region", name="Past")).to_contain_text(first.title)
        item.get_by_role("link", name=second.title).click()
        expect(member.get_by_role("heading", level=1)).to_have_text(second.title)
        facts = member.locator("dl.facts")
        expect(facts).to_contain_text(in_tokyo)
        expect(facts).to_contain_text(in_chicago)  # "Planned in" the cohort's zone
        expect(member.get_by_role("link", name="Record attendance")).to_have_count(0)

    def test_doors_stay_shut_console_for_members_unlisted_cohort_for_outsiders(self) -> None:
        import_framework()
        fay = self.make_user("fay@example.org", name="Fay Facilitator")
        staff = make_staff(self, "rae@example.org", "Rae Reviewer")
        listed = approved_cohort(by=fay, staff=staff, title="Partnerships circle")
        hidden = approved_cohort(
            by=fay, staff=staff, title="Quiet room", listed=False, join_policy="invitation"
        )
        cal = self.make_user("cal@example.org", name="Cal Member")
        self.make_user("olive@example.org", name="Olive Outsider")
        seat(listed, cal, fay)

        # A member's home has no console link, and typing its address gets the 404 page.
        member = self.new_page()
        self.sign_in(member, "cal@example.org")
        member.goto(self.url(listed.get_absolute_url()))
        expect(member.get_by_role("heading", name="Our learning goals")).to_be_visible()
        expect(member.get_by_role("link", name="Facilitator console")).to_have_count(0)
        for path in (
            f"/cohorts/{listed.slug}/console/",
            f"/cohorts/{listed.slug}/sessions/new/",
            f"/cohorts/{listed.slug}/participation/",
        ):
            response = member.goto(self.url(path))
            assert response is not None and response.status == 404, (path, response)
            expect(member.get_by_role("heading", level=1)).to_have_text(NOT_FOUND)
            expect(member.get_by_role("main")).not_to_contain_text("Partnerships circle")

        # An outsider neither finds the unlisted cohort nor opens it by its address.
        outsider = self.new_page()
        self.sign_in(outsider, "olive@example.org")
        outsider.goto(self.url("/cohorts/"))
        expect(outsider.get_by_role("link", name="Partnerships circle")).to_be_visible()
        expect(outsider.get_by_role("link", name="Quiet room")).to_have_count(0)
        for path in (hidden.get_absolute_url(), f"/cohorts/{hidden.slug}/sessions/"):
            response = outsider.goto(self.url(path))
            assert response is not None and response.status == 404, (path, response)
            expect(outsider.get_by_role("heading", level=1)).to_have_text(NOT_FOUND)
            expect(outsider.get_by_role("main")).not_to_contain_text("Quiet room")

        # Nor does an anonymous visitor.
        visitor = self.new_page()
        response = visitor.goto(self.url(hidden.get_absolute_url()))
        assert response is not None and response.status == 404
        expect(visitor.get_by_role("heading", level=1)).to_have_text(NOT_FOUND)
