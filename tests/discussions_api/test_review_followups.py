"""Follow-ups from reviewing the discussion services."""

from __future__ import annotations

import uuid

import pytest

from discussions.models import Thread
from discussions.services import DiscussionError, post_create, thread_create

pytestmark = pytest.mark.django_db


def test_a_retried_thread_start_returns_the_first_thread(thread: Thread, member) -> None:
    client_id = uuid.uuid4()
    first = thread_create(
        cohort=thread.cohort, author=member, title="Partner voice", body="Hi", client_id=client_id
    )
    again = thread_create(
        cohort=thread.cohort, author=member, title="Partner voice", body="Hi", client_id=client_id
    )
    assert again.pk == first.pk
    assert Thread.objects.filter(title="Partner voice").count() == 1


def test_a_removed_member_retrying_a_post_is_refused(thread: Thread, member, facilitator) -> None:
    from cohorts.models import Membership
    from cohorts.services import membership_remove

    client_id = uuid.uuid4()
    post_create(thread=thread, author=member, body="first", client_id=client_id)
    membership_remove(
        membership=Membership.objects.get(cohort=thread.cohort, user=member), by=facilitator
    )
    member.refresh_from_db()
    with pytest.raises(DiscussionError) as refused:
        post_create(thread=thread, author=member, body="first", client_id=client_id)
    assert refused.value.code == "forbidden"


def test_mark_all_read_takes_a_fixed_number_of_queries(
    thread: Thread, member, django_assert_max_num_queries
) -> None:
    from discussions.models import ReadState
    from discussions.services import cohort_mark_all_read

    for n in range(12):
        thread_create(cohort=thread.cohort, author=member, title=f"T{n}", body="b")
    with django_assert_max_num_queries(6):
        count = cohort_mark_all_read(cohort=thread.cohort, user=member)
    assert count == 13
    states = ReadState.objects.filter(user=member)
    assert all(s.last_read_post_id == s.thread.last_post_id for s in states)
