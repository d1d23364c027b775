"""The attendance screen lists people only for the sessions held after they joined."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from cohorts import selectors
from cohorts.models import Cohort, Membership, Session
from cohorts.services import attendance_record


def test_attendance_sheet_leaves_out_people_who_joined_after_the_session(
    active_cohort: Cohort,
    facilitator: User,
    fac_client: Client,
    add_members: Callable[[Cohort, int], list[User]],
    add_session: Callable[..., Session],
) -> None:
    veteran, newcomer = add_members(active_cohort, 2)
    Membership.objects.filter(cohort=active_cohort).exclude(user=newcomer).update(
        decided_at=timezone.now() - timedelta(days=30)
    )
    earlier = add_session(active_cohort, days=-7, title="Before the newcomer")
    later = add_session(active_cohort, days=2, title="After the newcomer")

    people, _ = selectors.attendance_sheet(earlier)
    assert {m.user_id for m in people} == {facilitator.pk, veteran.pk}
    people, _ = selectors.attendance_sheet(later)
    assert {m.user_id for m in people} == {facilitator.pk, veteran.pk, newcomer.pk}

    page = fac_client.get(reverse("cohorts:attendance", args=[active_cohort.slug, earlier.pk]))
    text = page.content.decode()
    assert veteran.display_name in text
    assert newcomer.display_name not in text
    assert f'name="status_{newcomer.pk}"' not in text
    # "Everyone left blank is present" marks only the people the screen lists.
    fac_client.post(
        reverse("cohorts:attendance", args=[active_cohort.slug, earlier.pk]), {"all_present": "1"}
    )
    recorded = set(earlier.attendance.values_list("user_id", flat=True))
    assert recorded == {facilitator.pk, veteran.pk}


def test_attendance_sheet_keeps_anyone_already_recorded(
    active_cohort: Cohort,
    facilitator: User,
    add_members: Callable[[Cohort, int], list[User]],
    add_session: Callable[..., Session],
) -> None:
    (rejoined,) = add_members(active_cohort, 1)
    session = add_session(active_cohort, days=-7)
    attendance_record(session=session, by=facilitator, statuses={rejoined.pk: "present"})
    people, current = selectors.attendance_sheet(session)
    assert rejoined.pk in {m.user_id for m in people}
    assert current == {rejoined.pk: "present"}
