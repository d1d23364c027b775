"""Participation counts from each member's join date: nobody is "quiet" for the sessions
held before they joined."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from cohorts.models import Cohort, Membership, Session
from cohorts.services import attendance_record
from dashboard import participation


def _joined(cohort: Cohort, user: User, days_ago: float) -> None:
    Membership.objects.filter(cohort=cohort, user=user).update(
        decided_at=timezone.now() - timedelta(days=days_ago)
    )


def test_a_member_who_joined_today_is_not_quiet(
    active_cohort: Cohort,
    facilitator: User,
    fac_client: Client,
    add_members: Callable[[Cohort, int], list[User]],
    add_session: Callable[..., Session],
) -> None:
    veteran, newcomer = add_members(active_cohort, 2)
    _joined(active_cohort, veteran, 30)
    for days in (-21, -14, -7):
        add_session(active_cohort, days=days)  # nobody recorded: the veteran was quiet

    data = participation.participation_rows(active_cohort)
    rows = {r.membership.user_id: r for r in data["rows"]}
    assert rows[veteran.pk].quiet
    assert rows[veteran.pk].held_since == 3
    assert not rows[newcomer.pk].quiet
    assert rows[newcomer.pk].held_since == 0

    page = fac_client.get(reverse("participation:cohort", args=[active_cohort.slug]))
    text = page.content.decode()
    assert "1 member has been quiet lately" in text
    assert text.count("Quiet lately</span>") == 1
    assert "New: no sessions held since joining" in text


def test_quiet_lately_counts_only_sessions_held_after_joining(
    active_cohort: Cohort,
    facilitator: User,
    add_members: Callable[[Cohort, int], list[User]],
    add_session: Callable[..., Session],
) -> None:
    came, missed = add_members(active_cohort, 2)
    _joined(active_cohort, came, 10)
    _joined(active_cohort, missed, 10)
    add_session(active_cohort, days=-14)  # before both joined
    since = add_session(active_cohort, days=-7)
    attendance_record(session=since, by=facilitator, statuses={came.pk: "present"})

    data = participation.participation_rows(active_cohort)
    rows = {r.membership.user_id: r for r in data["rows"]}
    assert data["held"] == 2
    # Present at the one session since joining: taking part, not quiet for the one before.
    assert not rows[came.pk].quiet
    assert (rows[came.pk].held_since, rows[came.pk].held_recently) == (1, 1)
    # Not recorded at the one session since joining: quiet, judged on that session alone.
    assert rows[missed.pk].quiet
    assert rows[missed.pk].recent == []


def test_joining_an_open_cohort_records_the_join_date(
    make_active_cohort: Callable[..., Cohort], make_user: Callable[..., User]
) -> None:
    from cohorts.services import membership_join

    cohort = make_active_cohort(title="Open doors", join_policy=Cohort.JoinPolicy.OPEN)
    before = timezone.now()
    membership = membership_join(cohort=cohort, user=make_user(name="Ola Open"))
    assert membership.status == Membership.Status.ACTIVE
    assert membership.decided_at is not None and membership.decided_at >= before
    assert membership.joined_at == membership.decided_at
