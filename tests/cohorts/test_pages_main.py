"""The cohort pages: directory, about and home, proposals, staff review, joining and
leaving, goals, lifecycle buttons and the dashboard panels."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.models import User
from cohorts import services
from cohorts.models import (
    Cohort,
    CohortReview,
    GoalSupport,
    Invitation,
    LearningGoal,
    Membership,
)

pytestmark = pytest.mark.django_db


def url(name: str, *args: Any) -> str:
    return reverse(f"cohorts:{name}", args=args)


def schedule(cohort: Cohort, by: User, n: int, *, start_in_days: int = 1) -> None:
    start = timezone.now() + dt.timedelta(days=start_in_days)
    for i in range(n):
        begins = start + dt.timedelta(days=14 * i)
        services.session_create(
            cohort=cohort,
            by=by,
            title=f"Session {i + 1}",
            starts_at=begins,
            ends_at=begins + dt.timedelta(minutes=90),
        )


@pytest.fixture
def clients(
    signed_in: Callable[[User], Client],
    outsider: User,
    cohort_member: User,
    facilitator: User,
    staff: User,
) -> dict[str, Client]:
    return {
        "anonymous": Client(),
        "outsider": signed_in(outsider),
        "member": signed_in(cohort_member),
        "facilitator": signed_in(facilitator),
        "staff": signed_in(staff),
    }


# --- The directory --------------------------------------------------------------------------


def test_directory_lists_approved_listed_cohorts_with_their_card(
    client: Client, approved_cohort: Cohort, draft_cohort: Cohort, make_cohort, facilitator
) -> None:
    make_cohort(by=facilitator, title="Hidden circle", listed=False)
    response = client.get(url("directory"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Reciprocal partnerships" in page
    assert "A cohort in the making" not in page
    assert "Hidden circle" not in page
    assert "Fay Facilitator" in page
    assert "2 places left" in page  # capacity 3, one member seated
    assert "Every other Tuesday, 90 minutes" in page
    assert "America/Chicago" in page
    assert "Fall 2031" in page
    assert "Join by request" in page
    assert approved_cohort.focus_areas.get().name in page


def test_directory_says_waitlist_when_a_cohort_is_full(
    client: Client, approved_cohort: Cohort, make_user, seat
) -> None:
    seat(approved_cohort, make_user())
    seat(approved_cohort, make_user())
    page = client.get(url("directory")).content.decode()
    assert "Full: waitlist" in page


def test_directory_filters_by_area_and_enrollment_period(
    client: Client, approved_cohort: Cohort, make_cohort, facilitator, framework
) -> None:
    other_area = framework.areas.order_by("order")[1]
    make_cohort(by=facilitator, title="Another focus", areas=[other_area])
    page = client.get(url("directory"), {"area": other_area.slug}).content.decode()
    assert "Another focus" in page and "Reciprocal partnerships" not in page
    page = client.get(url("directory"), {"period": "fall-2031"}).content.decode()
    assert "Reciprocal partnerships" in page and "Another focus" not in page
    # A filter value that does not exist is ignored, not an error.
    response = client.get(url("directory"), {"area": "no-such-area"})
    assert response.status_code == 200


def test_directory_offers_proposing_only_to_signed_in_people(
    client: Client, outsider: User, signed_in
) -> None:
    assert url("propose") not in client.get(url("directory")).content.decode()
    assert url("propose") in signed_in(outsider).get(url("directory")).content.decode()


def test_directory_query_count_does_not_grow_with_cohorts(
    client: Client,
    make_cohort,
    make_user,
    django_assert_max_num_queries,
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url("directory")).status_code == 200
        return len(ctx.captured_queries)

    for i in range(2):
        make_cohort(by=make_user(), title=f"Small {i}")
    count()  # warm the per-process caches (content types, permissions)
    few = count()
    for i in range(10):
        make_cohort(by=make_user(), title=f"More {i}")
    assert count() == few
    with django_assert_max_num_queries(8):
        client.get(url("directory"))


# --- The cohort page: who sees what ---------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status", "template"),
    [
        ("anonymous", 200, "cohorts/about.html"),
        ("outsider", 200, "cohorts/about.html"),
        ("member", 200, "cohorts/home.html"),
        ("facilitator", 200, "cohorts/home.html"),
        ("staff", 200, "cohorts/home.html"),
    ],
)
def test_public_cohort_page_is_about_for_outsiders_and_home_for_members(
    clients: dict[str, Client], approved_cohort: Cohort, who: str, status: int, template: str
) -> None:
    response = clients[who].get(url("detail", approved_cohort.slug))
    assert response.status_code == status
    assert template in [t.name for t in response.templates]


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 404), ("outsider", 404), ("member", 404), ("facilitator", 200), ("staff", 200)],
)
def test_draft_cohort_is_seen_only_by_its_facilitators_and_staff(
    clients: dict[str, Client], draft_cohort: Cohort, who: str, status: int
) -> None:
    assert clients[who].get(url("detail", draft_cohort.slug)).status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 404), ("outsider", 404), ("member", 200), ("facilitator", 200), ("staff", 200)],
)
def test_unlisted_cohort_is_hidden_from_outsiders(
    clients: dict[str, Client],
    make_cohort,
    facilitator: User,
    cohort_member: User,
    seat,
    who: str,
    status: int,
) -> None:
    cohort = make_cohort(by=facilitator, title="Quiet room", listed=False)
    seat(cohort, cohort_member)
    for name in ("detail", "members"):
        assert clients[who].get(url(name, cohort.slug)).status_code == status


def test_unknown_cohort_is_404(client: Client) -> None:
    assert client.get(url("detail", "no-such-cohort")).status_code == 404


def test_about_page_shows_description_facilitators_schedule_and_request_form(
    clients: dict[str, Client], approved_cohort: Cohort
) -> None:
    page = clients["outsider"].get(url("detail", approved_cohort.slug)).content.decode()
    assert "<strong>together</strong>" in page  # Markdown rendered
    assert "Fay Facilitator" in page and "she/her" in page
    assert "Every other Tuesday" in page
    assert "2 places left" in page
    assert f'action="{url("join", approved_cohort.slug)}"' in page
    assert 'name="message"' in page
    assert "Review history" not in page


def test_about_page_asks_anonymous_visitors_to_sign_in_and_come_back(
    client: Client, approved_cohort: Cohort
) -> None:
    page = client.get(url("detail", approved_cohort.slug)).content.decode()
    assert f"{reverse('account_login')}?next=/cohorts/{approved_cohort.slug}/" in page
    assert f'action="{url("join", approved_cohort.slug)}"' not in page


def test_about_page_of_invitation_only_cohort_has_no_join_form(
    clients: dict[str, Client], make_cohort, facilitator: User
) -> None:
    cohort = make_cohort(by=facilitator, title="Invited circle", join_policy="invitation")
    page = clients["outsider"].get(url("detail", cohort.slug)).content.decode()
    assert "By invitation only" in page
    assert f'action="{url("join", cohort.slug)}"' not in page


def test_pending_request_shows_on_the_about_page_with_a_way_to_withdraw(
    clients: dict[str, Client], approved_cohort: Cohort, outsider: User
) -> None:
    services.membership_join(cohort=approved_cohort, user=outsider, message="Hello")
    page = clients["outsider"].get(url("detail", approved_cohort.slug)).content.decode()
    assert "You asked to join" in page
    assert "Withdraw my request" in page


def test_home_shows_next_session_goals_members_and_activity(
    clients: dict[str, Client], approved_cohort: Cohort, facilitator: User, cohort_member: User
) -> None:
    schedule(approved_cohort, facilitator, 3)
    services.goal_propose(cohort=approved_cohort, by=cohort_member, title="Map our partners")
    page = clients["member"].get(url("detail", approved_cohort.slug)).content.decode()
    assert "Next session" in page and "Session 1" in page and "Session 2" in page
    assert "Map our partners" in page
    assert f'action="{url("goal_propose", approved_cohort.slug)}"' in page
    assert reverse("accounts:person", args=[cohort_member.pk]) in page
    assert "they/them" in page
    assert "Cal Member joined" in page
    # Administrative state changes are not activity members care about.
    assert "Became approved" not in page
    # Members do not see facilitator controls or the review history.
    assert "Facilitator console" not in page
    assert "Review history" not in page
    assert "Record a decision" not in page


def test_home_gives_facilitators_their_controls_and_the_review_history(
    clients: dict[str, Client], approved_cohort: Cohort
) -> None:
    page = clients["facilitator"].get(url("detail", approved_cohort.slug)).content.decode()
    assert url("console", approved_cohort.slug) in page
    assert url("lifecycle", approved_cohort.slug, "activate") in page
    assert "Review history" in page
    assert "Thank you for this thoughtful design." in page
    assert "Holds" in page and "Clear." in page


def test_home_shows_times_in_the_viewers_time_zone(
    clients: dict[str, Client], approved_cohort: Cohort, facilitator: User, cohort_member: User
) -> None:
    cohort_member.time_zone = "Asia/Tokyo"
    cohort_member.save(update_fields=["time_zone"])
    starts = (timezone.now() + dt.timedelta(days=3)).replace(
        hour=1, minute=0, second=0, microsecond=0
    )
    services.session_create(
        cohort=approved_cohort,
        by=facilitator,
        title="Opening circle",
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=90),
    )
    page = clients["member"].get(url("detail", approved_cohort.slug)).content.decode()
    assert "10:00" in page  # 01:00 UTC is 10:00 in Tokyo
    assert "Asia/Tokyo" in page


def test_home_query_count_does_not_grow_with_members_and_sessions(
    signed_in, approved_cohort: Cohort, facilitator: User, make_user, seat
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in(facilitator)
    schedule(approved_cohort, facilitator, 2)
    services.goal_propose(cohort=approved_cohort, by=facilitator, title="One goal")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url("detail", approved_cohort.slug)).status_code == 200
        return len(ctx.captured_queries)

    count()  # warm the per-process caches (content types, permissions)
    few = count()
    services.cohort_update(cohort=approved_cohort, by=facilitator, capacity=30)
    for _ in range(12):
        seat(approved_cohort, make_user(pronouns="she/her"))
    schedule(approved_cohort, facilitator, 10, start_in_days=200)
    for i in range(8):
        services.goal_propose(cohort=approved_cohort, by=facilitator, title=f"Goal {i}")
    assert count() == few


def test_members_page_is_for_members_only(
    clients: dict[str, Client], approved_cohort: Cohort
) -> None:
    assert clients["anonymous"].get(url("members", approved_cohort.slug)).status_code == 404
    assert clients["outsider"].get(url("members", approved_cohort.slug)).status_code == 404
    page = clients["member"].get(url("members", approved_cohort.slug)).content.decode()
    assert "Cal Member" in page and "Fay Facilitator" in page


# --- Proposing and editing ------------------------------------------------------------------


def proposal_data(framework: Any, **overrides: Any) -> dict[str, Any]:
    area = framework.areas.order_by("order").first()
    competency = area.competencies.order_by("order").first()
    data = {
        "title": "Listening first",
        "description": "How we *listen* to partners.",
        "host_institution": "Riverside College",
        "co_facilitator_emails": "co.fac@example.org,\nsecond@example.org",
        "enrollment_period": "",
        "term_start": "2031-09-01",
        "term_end": "2031-12-01",
        "cadence": "Every other Thursday",
        "time_zone": "America/Denver",
        "capacity": "10",
        "join_policy": "request",
        "listed": "on",
        "focus_areas": [str(area.pk)],
        "focus_competencies": [str(competency.pk)],
        "design_knowledge": "Rotating story circles.",
        "design_learning": "Facilitators learn in the open.",
        "design_identities": "Many forms of sharing.",
        "design_democratic": "Goals chosen together.",
    }
    data.update(overrides)
    return data


def test_anonymous_visitors_are_sent_to_sign_in_to_propose(client: Client) -> None:
    response = client.get(url("propose"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_propose_form_shows_every_field_grouped(signed_in, outsider: User, framework: Any) -> None:
    page = signed_in(outsider).get(url("propose")).content.decode()
    for name in (
        "title",
        "description",
        "host_institution",
        "co_facilitator_emails",
        "enrollment_period",
        "term_start",
        "term_end",
        "cadence",
        "time_zone",
        "capacity",
        "join_policy",
        "listed",
        "focus_areas",
        "focus_competencies",
        "design_knowledge",
        "design_learning",
        "design_identities",
        "design_democratic",
    ):
        assert f'name="{name}"' in page, name
    assert 'type="date"' in page
    for area in framework.areas.all():
        assert f"<legend>{escape(area.name)}</legend>" in page


def test_saving_a_proposal_creates_a_draft_and_invites_co_facilitators(
    signed_in, outsider: User, framework: Any, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(outsider).post(url("propose"), proposal_data(framework), follow=True)
    cohort = Cohort.objects.get(title="Listening first")
    assert response.redirect_chain[-1][0] == cohort.get_absolute_url()
    assert cohort.state == Cohort.State.DRAFT
    assert cohort.time_zone == "America/Denver" and cohort.capacity == 10
    assert cohort.focus_areas.count() == 1 and cohort.focus_competencies.count() == 1
    assert Membership.objects.get(cohort=cohort, user=outsider).role == "facilitator"
    invited = set(Invitation.objects.filter(cohort=cohort).values_list("email", "role"))
    assert invited == {("co.fac@example.org", "facilitator"), ("second@example.org", "facilitator")}
    assert len(mail.outbox) == 2
    assert "Saved as a draft" in response.content.decode()


def test_proposing_and_submitting_in_one_step(signed_in, outsider: User, framework: Any) -> None:
    signed_in(outsider).post(url("propose"), {**proposal_data(framework), "submit": "1"})
    assert Cohort.objects.get(title="Listening first").state == Cohort.State.SUBMITTED


def test_submit_refused_by_the_rules_keeps_everything_typed_and_saves_nothing(
    signed_in, outsider: User, framework: Any, django_capture_on_commit_callbacks
) -> None:
    data = proposal_data(framework, design_democratic="", cadence="Mondays at dawn")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = signed_in(outsider).post(url("propose"), {**data, "submit": "1"})
    assert callbacks == []  # rolled back: no invitation e-mail is queued
    assert response.status_code == 200
    page = response.content.decode()
    assert "Before submitting, describe the democratic design." in page
    assert 'value="Mondays at dawn"' in page
    assert "Rotating story circles." in page
    assert "co.fac@example.org" in page
    assert "checked" in page  # the chosen area stays chosen
    assert not Cohort.objects.filter(title="Listening first").exists()
    assert mail.outbox == []


def test_invalid_proposal_is_shown_again_with_field_errors_and_input(
    signed_in, outsider: User, framework: Any
) -> None:
    data = proposal_data(
        framework, term_end="2031-08-01", co_facilitator_emails="not-an-address", capacity="500"
    )
    response = signed_in(outsider).post(url("propose"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "The term must end on or after the day it starts." in page
    assert "Not an e-mail address: not-an-address" in page
    assert 'value="Listening first"' in page
    assert 'value="2031-08-01"' in page
    assert not Cohort.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("outsider", 404), ("member", 404), ("facilitator", 200), ("staff", 404)],
)
def test_only_facilitators_may_edit_a_draft(
    clients: dict[str, Client], draft_cohort: Cohort, who: str, status: int
) -> None:
    assert clients[who].get(url("edit", draft_cohort.slug)).status_code == status


def test_a_submitted_or_approved_proposal_cannot_be_edited(
    clients: dict[str, Client], approved_cohort: Cohort
) -> None:
    assert clients["facilitator"].get(url("edit", approved_cohort.slug)).status_code == 404
    assert clients["facilitator"].post(url("submit", approved_cohort.slug)).status_code == 404


def test_editing_a_draft_keeps_its_focus_and_saves_changes(
    clients: dict[str, Client], draft_cohort: Cohort, framework: Any
) -> None:
    client = clients["facilitator"]
    page = client.get(url("edit", draft_cohort.slug)).content.decode()
    area = draft_cohort.focus_areas.get()
    assert f'value="{area.pk}"' in page and "checked" in page
    assert 'name="co_facilitator_emails"' not in page
    data = proposal_data(framework, title="Renamed draft")
    data.pop("co_facilitator_emails")
    response = client.post(url("edit", draft_cohort.slug), {**data, "submit": "1"})
    assert response.status_code == 302
    draft_cohort.refresh_from_db()
    assert draft_cohort.title == "Renamed draft"
    assert draft_cohort.state == Cohort.State.SUBMITTED


def test_submit_button_on_home_explains_what_is_missing(
    clients: dict[str, Client], make_cohort, facilitator: User
) -> None:
    cohort = make_cohort(by=facilitator, title="Unfinished", state="draft", design_learning="")
    response = clients["facilitator"].post(url("submit", cohort.slug), follow=True)
    assert response.redirect_chain[-1][0] == url("edit", cohort.slug)
    assert "how everyone learns" in response.content.decode()
    cohort.refresh_from_db()
    assert cohort.state == Cohort.State.DRAFT


def test_member_cannot_submit_a_draft(clients: dict[str, Client], draft_cohort: Cohort) -> None:
    assert clients["outsider"].post(url("submit", draft_cohort.slug)).status_code == 404


# --- Staff review ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("outsider", 404), ("member", 404), ("facilitator", 404), ("staff", 200)],
)
def test_review_queue_is_for_program_staff(
    clients: dict[str, Client], make_cohort, facilitator: User, who: str, status: int
) -> None:
    make_cohort(by=facilitator, title="Waiting for review", state="submitted")
    response = clients[who].get(url("review_queue"))
    assert response.status_code == status
    if status == 200:
        assert "Waiting for review" in response.content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("outsider", 404), ("member", 404), ("facilitator", 404), ("staff", 200)],
)
def test_review_page_is_for_program_staff(
    clients: dict[str, Client], make_cohort, facilitator: User, who: str, status: int
) -> None:
    cohort = make_cohort(by=facilitator, title="Waiting for review", state="submitted")
    assert clients[who].get(url("review", cohort.slug)).status_code == status


def review_data(**overrides: str) -> dict[str, str]:
    data = {"decision": "approve", "message": "A fine design."}
    for name, _ in CohortReview.CRITERIA:
        data[name] = "met"
        data[f"{name}_note"] = f"Note on {name}."
    data.update(overrides)
    return data


def test_staff_review_walks_the_principles_and_approves(
    clients: dict[str, Client], make_cohort, facilitator: User, django_capture_on_commit_callbacks
) -> None:
    cohort = make_cohort(by=facilitator, title="Waiting for review", state="submitted")
    page = clients["staff"].get(url("review", cohort.slug)).content.decode()
    for _, label in CohortReview.CRITERIA:
        assert label in page
    assert "Rotating" not in page and "Every session opens with a member" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = clients["staff"].post(url("review", cohort.slug), review_data())
    assert response.status_code == 302
    cohort.refresh_from_db()
    assert cohort.state == Cohort.State.APPROVED
    review = cohort.reviews.get()
    assert review.knowledge_note == "Note on knowledge."
    assert len(mail.outbox) == 1  # the facilitator hears by e-mail


def test_approving_with_a_principle_not_held_is_refused_and_keeps_the_review(
    clients: dict[str, Client], make_cohort, facilitator: User
) -> None:
    cohort = make_cohort(by=facilitator, title="Waiting for review", state="submitted")
    data = review_data(identities="not_met", identities_note="Only one way to take part.")
    response = clients["staff"].post(url("review", cohort.slug), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "cannot be approved while a principle does not hold yet" in page
    assert "Only one way to take part." in page
    assert 'value="not_met" name="identities"' in page or 'value="not_met"' in page
    cohort.refresh_from_db()
    assert cohort.state == Cohort.State.SUBMITTED
    assert not cohort.reviews.exists()


def test_review_without_judgements_shows_field_errors(
    clients: dict[str, Client], make_cohort, facilitator: User
) -> None:
    cohort = make_cohort(by=facilitator, title="Waiting for review", state="submitted")
    response = clients["staff"].post(url("review", cohort.slug), {"message": "Hm."})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    cohort.refresh_from_db()
    assert cohort.state == Cohort.State.SUBMITTED


def test_requested_changes_let_facilitators_revise_and_see_the_history(
    clients: dict[str, Client], make_cohort, facilitator: User
) -> None:
    cohort = make_cohort(by=facilitator, title="Needs work", state="changes_requested")
    assert clients["facilitator"].get(url("edit", cohort.slug)).status_code == 200
    page = clients["facilitator"].get(url("detail", cohort.slug)).content.decode()
    assert "Changes requested" in page and "Program staff asked for changes" in page


def test_a_decided_cohort_cannot_be_reviewed_again(
    clients: dict[str, Client], approved_cohort: Cohort
) -> None:
    response = clients["staff"].post(url("review", approved_cohort.slug), review_data())
    assert response.status_code == 302
    assert approved_cohort.reviews.count() == 1


# --- Joining and leaving --------------------------------------------------------------------


def test_outsider_asks_to_join_a_cohort_by_request(
    clients: dict[str, Client], approved_cohort: Cohort, outsider: User
) -> None:
    response = clients["outsider"].post(
        url("join", approved_cohort.slug), {"message": "I run a partnership office."}, follow=True
    )
    membership = Membership.objects.get(cohort=approved_cohort, user=outsider)
    assert membership.status == Membership.Status.REQUESTED
    assert membership.request_message == "I run a partnership office."
    assert "Your request is sent" in response.content.decode()


def test_joining_an_open_cohort_seats_you_and_then_the_waitlist(
    signed_in, make_cohort, facilitator: User, make_user
) -> None:
    cohort = make_cohort(by=facilitator, title="Open door", join_policy="open", capacity=2)
    statuses = []
    for _ in range(3):
        person = make_user()
        signed_in(person).post(url("join", cohort.slug))
        statuses.append(Membership.objects.get(cohort=cohort, user=person).status)
    assert statuses == ["active", "active", "waitlisted"]


def test_joining_an_invitation_only_cohort_says_why_not(
    clients: dict[str, Client], make_cohort, facilitator: User, outsider: User
) -> None:
    cohort = make_cohort(by=facilitator, title="Invited circle", join_policy="invitation")
    response = clients["outsider"].post(url("join", cohort.slug), follow=True)
    assert "by invitation only" in response.content.decode()
    assert not Membership.objects.filter(cohort=cohort, user=outsider).exists()


def test_joining_needs_sign_in_and_a_visible_cohort(
    clients: dict[str, Client], draft_cohort: Cohort, approved_cohort: Cohort
) -> None:
    response = clients["anonymous"].post(url("join", approved_cohort.slug))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    assert clients["outsider"].post(url("join", draft_cohort.slug)).status_code == 404
    assert clients["outsider"].get(url("join", approved_cohort.slug)).status_code == 405


def test_member_leaves_and_loses_the_home(
    clients: dict[str, Client], approved_cohort: Cohort, cohort_member: User
) -> None:
    client = clients["member"]
    response = client.post(url("leave", approved_cohort.slug), follow=True)
    assert "You have left" in response.content.decode()
    assert Membership.objects.get(user=cohort_member).status == Membership.Status.LEFT
    response = client.get(url("detail", approved_cohort.slug))
    assert "cohorts/about.html" in [t.name for t in response.templates]


def test_the_only_facilitator_cannot_leave(
    clients: dict[str, Client], approved_cohort: Cohort, facilitator: User
) -> None:
    response = clients["facilitator"].post(url("leave", approved_cohort.slug), follow=True)
    assert "A cohort needs a facilitator" in response.content.decode()
    membership = Membership.objects.get(cohort=approved_cohort, user=facilitator)
    assert membership.status == Membership.Status.ACTIVE


# --- Lifecycle buttons ----------------------------------------------------------------------


def test_facilitator_activates_then_concludes_the_cohort(
    clients: dict[str, Client], approved_cohort: Cohort, cohort_member: User
) -> None:
    client = clients["facilitator"]
    client.post(url("lifecycle", approved_cohort.slug, "activate"))
    approved_cohort.refresh_from_db()
    assert approved_cohort.state == Cohort.State.ACTIVE
    client.post(url("lifecycle", approved_cohort.slug, "conclude"))
    approved_cohort.refresh_from_db()
    assert approved_cohort.state == Cohort.State.CONCLUDED
    assert Membership.objects.get(user=cohort_member).status == Membership.Status.ALUMNI


def test_illegal_transition_shows_an_error_and_changes_nothing(
    clients: dict[str, Client], approved_cohort: Cohort
) -> None:
    response = clients["facilitator"].post(
        url("lifecycle", approved_cohort.slug, "archive"), follow=True
    )
    assert "cannot become archived" in response.content.decode()
    approved_cohort.refresh_from_db()
    assert approved_cohort.state == Cohort.State.APPROVED


@pytest.mark.parametrize("who", ["anonymous", "outsider", "member", "staff"])
def test_only_facilitators_change_the_lifecycle(
    clients: dict[str, Client], approved_cohort: Cohort, who: str
) -> None:
    response = clients[who].post(url("lifecycle", approved_cohort.slug, "activate"))
    assert response.status_code in (302, 404) if who == "anonymous" else 404
    if who == "anonymous":
        assert reverse("account_login") in response["Location"]
    approved_cohort.refresh_from_db()
    assert approved_cohort.state == Cohort.State.APPROVED


def test_unknown_lifecycle_action_is_404(
    clients: dict[str, Client], approved_cohort: Cohort
) -> None:
    response = clients["facilitator"].post(url("lifecycle", approved_cohort.slug, "explode"))
    assert response.status_code == 404


# --- Learning goals -------------------------------------------------------------------------


def test_any_member_proposes_a_goal_and_supports_by_proposing(
    clients: dict[str, Client], approved_cohort: Cohort, cohort_member: User
) -> None:
    response = clients["member"].post(
        url("goal_propose", approved_cohort.slug), {"title": "Co-write a partner agreement"}
    )
    assert response.status_code == 302 and response["Location"].endswith("#goals")
    goal = LearningGoal.objects.get(cohort=approved_cohort)
    assert goal.proposed_by == cohort_member
    assert GoalSupport.objects.filter(goal=goal, user=cohort_member).exists()


def test_support_button_toggles(
    clients: dict[str, Client], approved_cohort: Cohort, facilitator: User, cohort_member: User
) -> None:
    goal = services.goal_propose(cohort=approved_cohort, by=facilitator, title="Shared rubric")
    support = url("goal_support", approved_cohort.slug, goal.pk)
    clients["member"].post(support)
    assert GoalSupport.objects.filter(goal=goal, user=cohort_member).exists()
    page = clients["member"].get(url("detail", approved_cohort.slug)).content.decode()
    assert "Supporting ✓" in page and "2 supporters" in page
    clients["member"].post(support)
    assert not GoalSupport.objects.filter(goal=goal, user=cohort_member).exists()


@pytest.mark.parametrize("who", ["outsider", "staff"])
def test_people_outside_the_cohort_cannot_propose_or_support_goals(
    clients: dict[str, Client], approved_cohort: Cohort, facilitator: User, who: str
) -> None:
    goal = services.goal_propose(cohort=approved_cohort, by=facilitator, title="Shared rubric")
    client = clients[who]
    assert client.post(url("goal_propose", approved_cohort.slug), {"title": "X"}).status_code == 404
    assert client.post(url("goal_support", approved_cohort.slug, goal.pk)).status_code == 404
    assert LearningGoal.objects.count() == 1 and GoalSupport.objects.count() == 1


def test_facilitator_records_a_goal_decision_and_a_member_cannot(
    clients: dict[str, Client], approved_cohort: Cohort, cohort_member: User
) -> None:
    goal = services.goal_propose(cohort=approved_cohort, by=cohort_member, title="Shared rubric")
    status_url = url("goal_status", approved_cohort.slug, goal.pk)
    assert clients["member"].post(status_url, {"status": "adopted"}).status_code == 404
    clients["facilitator"].post(status_url, {"status": "adopted", "note": "Agreed in session 2"})
    goal.refresh_from_db()
    assert (goal.status, goal.status_note) == ("adopted", "Agreed in session 2")
    page = clients["member"].get(url("detail", approved_cohort.slug)).content.decode()
    assert "Adopted" in page and "Agreed in session 2" in page


def test_goal_of_another_cohort_is_404(
    clients: dict[str, Client], approved_cohort: Cohort, make_cohort, make_user
) -> None:
    other_facilitator = make_user()
    other = make_cohort(by=other_facilitator, title="Elsewhere")
    goal = services.goal_propose(cohort=other, by=other_facilitator, title="Not yours")
    response = clients["member"].post(url("goal_support", approved_cohort.slug, goal.pk))
    assert response.status_code == 404


# --- Dashboard ------------------------------------------------------------------------------


def test_dashboard_lists_my_cohorts_with_role_and_state_and_next_sessions(
    clients: dict[str, Client], approved_cohort: Cohort, facilitator: User, draft_cohort: Cohort
) -> None:
    schedule(approved_cohort, facilitator, 2)
    page = clients["member"].get(reverse("dashboard:home")).content.decode()
    assert "Reciprocal partnerships" in page and "Member · Approved" in page
    assert "Session 1" in page and "America/New_York" in page
    page = clients["facilitator"].get(reverse("dashboard:home")).content.decode()
    assert "Facilitator · Approved" in page and "Facilitator · Draft" in page


def test_dashboard_without_cohorts_points_to_the_directory(clients: dict[str, Client]) -> None:
    page = clients["outsider"].get(reverse("dashboard:home")).content.decode()
    assert "You are not in a cohort yet" in page and url("directory") in page


def test_old_cops_address_redirects_permanently_to_the_directory(client: Client) -> None:
    response = client.get("/cops/")
    assert response.status_code == 301
    assert response["Location"] == url("directory")


def test_my_cohorts_count_every_seated_member_not_just_me(
    approved_cohort: Cohort, facilitator: User, cohort_member: User, make_user, seat
) -> None:
    from cohorts import selectors

    seat(approved_cohort, make_user())
    for person in (facilitator, cohort_member):
        assert [c.seated_members for c in selectors.cohorts_of(person)] == [2]


def test_cohort_pages_carry_no_inline_script_or_style(
    clients: dict[str, Client], approved_cohort: Cohort, make_cohort, facilitator: User
) -> None:
    submitted = make_cohort(by=facilitator, title="Waiting for review", state="submitted")
    pages = [
        ("anonymous", url("directory")),
        ("outsider", url("detail", approved_cohort.slug)),
        ("member", url("detail", approved_cohort.slug)),
        ("facilitator", url("detail", approved_cohort.slug)),
        ("member", url("members", approved_cohort.slug)),
        ("outsider", url("propose")),
        ("staff", url("review_queue")),
        ("staff", url("review", submitted.slug)),
        ("member", reverse("dashboard:home")),
    ]
    for who, address in pages:
        html = clients[who].get(address).content.decode()
        assert "style=" not in html, address
        assert "<style" not in html, address
        for chunk in html.split("<script")[1:]:
            assert "src=" in chunk.split(">", 1)[0], f"inline script on {address}"


def test_admin_lists_and_opens_every_cohort_model_without_showing_token_hashes(
    approved_cohort: Cohort, facilitator: User, make_user, signed_in
) -> None:
    admin = make_user(is_staff=True, is_superuser=True)
    client = signed_in(admin)
    schedule(approved_cohort, facilitator, 1)
    services.goal_propose(cohort=approved_cohort, by=facilitator, title="A goal")
    invitation, _ = services.invitation_create(
        cohort=approved_cohort, by=facilitator, email="guest@example.org"
    )
    for model in (
        "enrollmentperiod",
        "cohort",
        "cohortreview",
        "membership",
        "session",
        "learninggoal",
        "invitation",
    ):
        changelist = client.get(f"/admin/cohorts/{model}/")
        assert changelist.status_code == 200, model
    assert client.get(f"/admin/cohorts/cohort/{approved_cohort.pk}/change/").status_code == 200
    page = client.get(f"/admin/cohorts/invitation/{invitation.pk}/change/").content.decode()
    assert "token_hash" not in page and invitation.token_hash not in page
    # The state is shown, not editable: lifecycle changes go through the services.
    page = client.get(f"/admin/cohorts/cohort/{approved_cohort.pk}/change/").content.decode()
    assert 'name="state"' not in page
