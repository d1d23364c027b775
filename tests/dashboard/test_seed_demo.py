import io
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from accounts.models import Notification, User
from accounts.roles import PlatformRole, has_role
from accounts.seed import DEMO_EXTRA_PEOPLE
from cohorts import selectors
from cohorts.models import (
    Attendance,
    Cohort,
    CohortReview,
    CohortTransition,
    EnrollmentPeriod,
    GoalSupport,
    Invitation,
    LearningGoal,
    Membership,
    Session,
)
from cohorts.permissions import can_facilitate, can_view_content
from cohorts.services.membership import places_left
from discussions.models import Mention, Post, Reaction, ReadState, Thread, ThreadSubscription
from discussions.seed import WELCOME_TITLE

pytestmark = pytest.mark.django_db

CONTRACT_ACCOUNTS = {
    "staff@example.org": PlatformRole.PROGRAM_STAFF,
    "reviewer@example.org": PlatformRole.REVIEW_BOARD,
    "provider@example.org": PlatformRole.TRAINING_PROVIDER,
    "facilitator@example.org": None,
    "cofacilitator@example.org": None,
    "member@example.org": None,
    "member2@example.org": None,
    "outsider@example.org": None,
}


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_seed_demo_refuses_without_debug_unless_forced(settings) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        seed()
    assert not User.objects.exists()


def test_seed_demo_creates_the_contract_accounts_idempotently(settings) -> None:
    settings.DEBUG = True
    assert "8 created" in seed()
    assert "0 created, 8 already there" in seed()
    assert User.objects.count() == len(CONTRACT_ACCOUNTS) + len(DEMO_EXTRA_PEOPLE)
    for email, role in CONTRACT_ACCOUNTS.items():
        user = User.objects.get(email=email)
        assert EmailAddress.objects.get(user=user).verified
        assert user.check_password("commonplace-demo")
        if role is not None:
            assert has_role(user, role)
    assert User.objects.get(email="staff@example.org").is_staff


def test_demo_account_signs_in_through_the_login_form(settings) -> None:
    seed("--force")
    client = Client()
    response = client.post(
        "/accounts/login/", {"login": "member@example.org", "password": "commonplace-demo"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"


def test_seed_demo_scale_adds_synthetic_volume(settings) -> None:
    settings.DEBUG = True
    seed("--scale", "2")
    assert User.objects.filter(email__startswith="synthetic-").count() == 100
    seed("--scale", "1")
    assert User.objects.filter(email__startswith="synthetic-").count() == 150


# --- cohorts --------------------------------------------------------------------------------

DEMO_COHORTS = {
    "partnerships-spring": Cohort.State.ACTIVE,
    "assessing-engagement-together": Cohort.State.APPROVED,
    "institutionalizing-engagement-reading-circle": Cohort.State.ACTIVE,
    "engaged-faculty-practice-circle": Cohort.State.SUBMITTED,
}
COUNTED = [
    User,
    Group,
    EnrollmentPeriod,
    Cohort,
    CohortTransition,
    CohortReview,
    Membership,
    Invitation,
    Session,
    Attendance,
    LearningGoal,
    GoalSupport,
    Notification,
    Thread,
    Post,
    Reaction,
    Mention,
    ReadState,
    ThreadSubscription,
]


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


def fresh(email: str) -> User:
    return User.objects.get(email=email)


@pytest.fixture
def seeded(settings: Any) -> Cohort:
    settings.DEBUG = True
    seed()
    return Cohort.objects.get(slug="partnerships-spring")


def test_seeding_twice_creates_nothing_new(seeded: Cohort) -> None:
    before = counts()
    assert all(before[name] > 0 for name in before), before
    assert "Demo cohorts: 0 created, all already there." in seed()
    assert counts() == before


def test_seed_makes_the_contract_cohorts_in_their_states(seeded: Cohort) -> None:
    states = dict(Cohort.objects.values_list("slug", "state"))
    assert states == DEMO_COHORTS
    # a cohort open for join requests, listed in the directory with places
    open_for_requests = selectors.directory().get(slug="assessing-engagement-together")
    assert open_for_requests.join_policy == Cohort.JoinPolicy.REQUEST
    assert places_left(open_for_requests) > 0
    open_policy = selectors.directory().get(slug="institutionalizing-engagement-reading-circle")
    assert open_policy.join_policy == Cohort.JoinPolicy.OPEN
    # a cohort awaiting approval, in staff's queue
    assert [c.slug for c in selectors.review_queue()] == ["engaged-faculty-practice-circle"]
    # the members-only demo cohort is not in the public directory
    assert not selectors.directory().filter(slug="partnerships-spring").exists()
    assert EnrollmentPeriod.objects.count() == 6


def test_demo_cohort_matches_the_contract(seeded: Cohort) -> None:
    cohort = seeded
    assert cohort.title == "Reciprocal Partnerships — Spring Cohort"
    assert (cohort.state, cohort.join_policy, cohort.listed, cohort.capacity) == (
        "active",
        "request",
        False,
        12,
    )
    assert [a.slug for a in cohort.focus_areas.all()] == ["partnerships"]
    assert {c.code for c in cohort.focus_competencies.all()} >= {"PAR-1", "PAR-3"}
    assert cohort.enrollment_period is not None
    assert cohort.enrollment_period.closes_on >= cohort.term_end

    seats = {
        m.user.email: (m.role, m.status)
        for m in Membership.objects.filter(cohort=cohort).select_related("user")
    }
    assert seats["facilitator@example.org"] == ("facilitator", "active")
    assert seats["cofacilitator@example.org"] == ("facilitator", "active")
    assert seats["member@example.org"] == ("member", "active")
    assert seats["member2@example.org"] == ("member", "active")
    assert sum(1 for role, status in seats.values() if status == "active") >= 6
    assert can_facilitate(fresh("cofacilitator@example.org"), cohort)
    assert can_view_content(fresh("member2@example.org"), cohort)
    assert not can_facilitate(fresh("member@example.org"), cohort)
    assert not can_view_content(fresh("outsider@example.org"), cohort)


def test_outsider_has_no_memberships_anywhere(seeded: Cohort) -> None:
    outsider = fresh("outsider@example.org")
    assert not Membership.objects.filter(user=outsider).exists()
    assert not Invitation.objects.filter(email=outsider.email).exists()
    assert not outsider.groups.exists()


def test_demo_cohort_was_reviewed_for_real_by_staff(seeded: Cohort) -> None:
    reviews = list(seeded.reviews.select_related("reviewer"))
    assert [r.decision for r in reviews] == ["approve", "request_changes"]
    assert {r.reviewer.email for r in reviews} == {"staff@example.org"}
    assert list(seeded.transitions.values_list("to_state", flat=True)) == [
        "draft",
        "submitted",
        "changes_requested",
        "submitted",
        "approved",
        "active",
    ]


def test_demo_cohort_has_a_pending_request_and_an_open_invitation(seeded: Cohort) -> None:
    (request,) = selectors.pending_requests(seeded)
    assert request.user.email not in ("outsider@example.org", "member@example.org")
    assert request.request_message
    (invitation,) = selectors.open_invitations(seeded)
    assert invitation.email == "guest@example.org"
    assert invitation.expires_at > timezone.now()
    accepted = Invitation.objects.get(cohort=seeded, email="cofacilitator@example.org")
    assert (accepted.role, accepted.accepted_by.email) == ("facilitator", accepted.email)


def test_demo_sessions_straddle_today_with_attendance_and_a_quiet_member(
    seeded: Cohort,
) -> None:
    from dashboard.participation import participation_rows

    sessions = list(selectors.sessions_of(seeded))
    now = timezone.now()
    held = [s for s in sessions if s.starts_at <= now]
    assert len(sessions) == 6
    assert 2 <= len(held) <= 4
    assert all(Attendance.objects.filter(session=s).exists() for s in held)
    assert not Attendance.objects.filter(session__starts_at__gt=now).exists()
    assert all(s.notes for s in held)
    quiet = {r.membership.user.email for r in participation_rows(seeded)["rows"] if r.quiet}
    assert quiet == {"member2@example.org"}


def test_demo_cohort_has_an_adopted_goal_and_a_proposed_one_with_support(seeded: Cohort) -> None:
    goals = {g.status: g for g in selectors.goals_of(seeded, viewer=fresh("member@example.org"))}
    assert set(goals) == {"adopted", "proposed"}
    assert goals["adopted"].support_count >= 3
    assert goals["proposed"].support_count >= 2
    assert goals["adopted"].supported_by_viewer


def test_seed_demo_scale_adds_cohorts_with_members_and_sessions(settings) -> None:
    settings.DEBUG = True
    seed("--scale", "1")
    synthetic = Cohort.objects.filter(slug__startswith="synthetic-cohort-")
    assert synthetic.count() == 2
    for cohort in synthetic:
        assert cohort.state == "active"
        members = Membership.objects.filter(cohort=cohort, role="member", status="active")
        assert members.count() == 12
        assert can_view_content(members.first().user, cohort)
        assert cohort.sessions.count() == 6
        assert Attendance.objects.filter(session__cohort=cohort).exists()
    seed("--scale", "1")
    assert Cohort.objects.filter(slug__startswith="synthetic-cohort-").count() == 4


def test_reseeding_replaces_an_expired_demo_invitation(seeded: Cohort) -> None:
    Invitation.objects.filter(cohort=seeded, email="guest@example.org").update(
        expires_at=timezone.now()
    )
    seed()
    (invitation,) = selectors.open_invitations(seeded).filter(expires_at__gt=timezone.now())
    assert invitation.email == "guest@example.org"


# --- discussions ----------------------------------------------------------------------------


def test_demo_cohort_has_a_pinned_welcome_and_real_conversations(seeded: Cohort) -> None:
    threads = list(Thread.objects.filter(cohort=seeded))
    assert len(threads) >= 4
    welcome = Thread.objects.get(cohort=seeded, title=WELCOME_TITLE)
    assert welcome.pinned
    assert welcome.created_by.email == "facilitator@example.org"
    assert Thread.objects.filter(cohort=seeded).first() == welcome  # pinned first
    for thread in threads:
        posts = list(thread.posts.all())
        assert thread.post_count == len(posts) >= 3
        assert thread.last_post_id == posts[-1].pk
        assert len({p.author_id for p in posts}) >= 2
        assert [p.created_at for p in posts] == sorted(p.created_at for p in posts)
    assert Thread.objects.filter(cohort=seeded, session__isnull=False).count() == 1
    assert Mention.objects.filter(post__thread__cohort=seeded).count() >= 3
    assert Reaction.objects.filter(post__thread__cohort=seeded).count() >= 10
    quoted = Post.objects.filter(thread__cohort=seeded, reply_to__isnull=False)
    assert quoted.exists()
    assert all("<blockquote>" in p.body_html for p in quoted)
    assert "/people/" in Post.objects.filter(mentions__isnull=False).first().body_html


def test_every_mention_in_the_demo_posts_reaches_its_person(seeded: Cohort) -> None:
    import re

    from accounts.models import User

    for post in Post.objects.filter(thread__cohort=seeded, body__contains="@"):
        typed = {h.lower() for h in re.findall(r"(?<![\w@/])@([\w-]*\w)", post.body)}
        typed.discard("name")  # "Use @name to bring someone in": the syntax, not a person
        made = dict(Mention.objects.filter(post=post).values_list("handle", "user__handle"))
        assert set(made) == typed, post.body
        assert all(made[h] == h for h in typed), made  # the person whose handle it is
        for handle in typed:
            person = User.objects.get(handle__iexact=handle)
            assert f'href="/people/{person.pk}/"' in post.body_html


def test_member_has_unread_posts_in_the_demo_cohort(seeded: Cohort) -> None:
    mei = fresh("member@example.org")
    pointers = dict(
        ReadState.objects.filter(user=mei, thread__cohort=seeded).values_list(
            "thread_id", "last_read_post_id"
        )
    )
    unread = [
        t for t in Thread.objects.filter(cohort=seeded) if t.last_post_id > pointers.get(t.pk, 0)
    ]
    assert 2 <= len(unread) < Thread.objects.filter(cohort=seeded).count()
    behind = [t for t in unread if t.pk in pointers]
    assert behind, "Mei has read part of some thread, with newer posts after her pointer"


def test_demo_threads_are_added_to_an_existing_demo_cohort(seeded: Cohort) -> None:
    Thread.objects.filter(cohort=seeded).delete()
    out = seed()
    assert "Demo threads: 5 created" in out
    assert Thread.objects.filter(cohort=seeded, title=WELCOME_TITLE).exists()
    assert "Demo threads: all already there." in seed()
