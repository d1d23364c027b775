"""The participation view: counts only, quiet members flagged in words, constant queries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from cohorts.models import Cohort, Membership, Session
from cohorts.services import attendance_record, session_cancel
from core import registry
from dashboard import participation


def page_url(active_cohort: Cohort) -> str:
    return reverse("participation:cohort", args=[active_cohort.slug])


def test_attendance_counts_and_quiet_members(
    active_cohort: Cohort,
    facilitator: User,
    fac_client: Client,
    add_members: Callable[[Cohort, int], list[User]],
    add_session: Callable[..., Session],
) -> None:
    steady, quiet, excused, never_came = add_members(active_cohort, 4)
    # All four joined before the first session (participation counts from the join date).
    Membership.objects.filter(cohort=active_cohort, role=Membership.Role.MEMBER).update(
        decided_at=timezone.now() - timedelta(days=30)
    )
    first, second, third = (add_session(active_cohort, days=d) for d in (-21, -14, -7))
    cancelled = add_session(active_cohort, days=-3)
    session_cancel(session=cancelled, by=facilitator)
    add_session(active_cohort, days=7)  # not held yet
    attendance_record(
        session=first,
        by=facilitator,
        statuses={steady.pk: "present", quiet.pk: "present", excused.pk: "present"},
    )
    attendance_record(
        session=second,
        by=facilitator,
        statuses={steady.pk: "present", quiet.pk: "absent", excused.pk: "excused"},
    )
    attendance_record(
        session=third,
        by=facilitator,
        statuses={steady.pk: "present", excused.pk: "absent"},  # quiet: no record
    )
    data = participation.participation_rows(active_cohort)
    assert data["held"] == 3
    rows = {r.membership.user_id: r for r in data["rows"]}
    assert facilitator.pk not in rows  # members only
    # Columns: sessions attended, posts, resources shared, reflections shared (nobody has
    # posted or shared here).
    assert {pk: r.counts for pk, r in rows.items()} == {
        steady.pk: [3, 0, 0, 0],
        quiet.pk: [1, 0, 0, 0],
        excused.pk: [1, 0, 0, 0],
        never_came.pk: [0, 0, 0, 0],
    }
    assert {pk for pk, r in rows.items() if r.quiet} == {quiet.pk, never_came.pk}

    page = fac_client.get(page_url(active_cohort)).content.decode()
    assert "2 members have been quiet lately" in page
    assert page.count("Quiet lately</span>") == 2
    assert "Invite them in" in page
    assert "Sessions attended" in page


def test_sources_are_pluggable_without_touching_the_view(
    active_cohort: Cohort,
    fac_client: Client,
    add_members: Callable[[Cohort, int], list[User]],
) -> None:
    (person,) = add_members(active_cohort, 1)
    extra = registry.ParticipationSource(
        key="journals", label="Journal entries", counts=lambda c: {person.pk: 7}
    )
    registry.register_participation_source(extra)
    try:
        page = fac_client.get(page_url(active_cohort)).content.decode()
    finally:
        registry.unregister_participation_source("journals")
    assert "Journal entries" in page
    assert '<td class="participation__num">7</td>' in page
    assert "Journal entries" not in fac_client.get(page_url(active_cohort)).content.decode()


def test_participation_shows_no_content(
    active_cohort: Cohort,
    active_cohort_member: User,
    facilitator: User,
    fac_client: Client,
    add_session: Callable[..., Session],
) -> None:
    session = add_session(active_cohort, days=-1, notes="Mei shared a painful story")
    attendance_record(
        session=session, by=facilitator, statuses={active_cohort_member.pk: "present"}
    )
    page = fac_client.get(page_url(active_cohort)).content.decode()
    assert "Mei Member" in page
    assert "painful story" not in page


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_members_or_sessions(
    make_active_cohort: Callable[..., Cohort],
    facilitator: User,
    add_members: Callable[[Cohort, int], list[User]],
    add_session: Callable[..., Session],
    signed_in: Callable[[User], Client],
) -> None:
    def build(title: str, members: int, sessions: int) -> Cohort:
        cohort = make_active_cohort(title=title)
        people = add_members(cohort, members)
        for i in range(sessions):
            session = add_session(cohort, days=-(i + 1))
            attendance_record(
                session=session,
                by=facilitator,
                statuses={
                    p.pk: ("present" if (i + n) % 3 else "absent") for n, p in enumerate(people)
                },
            )
        return cohort

    small, large = build("Small", 3, 2), build("Large", 12, 8)
    client = signed_in(facilitator)
    client.get(page_url(small))
    assert _queries(client, page_url(small)) == _queries(client, page_url(large))
