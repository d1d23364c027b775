"""'My contributions': a person's own posts, threads, attendance and goals, the latest of
each with totals, in a fixed number of queries, linked from the dashboard and the header."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cohorts.models import Attendance, GoalSupport, LearningGoal, Session
from dashboard.contributions import SHOWN
from discussions.services import post_create, post_delete, thread_create

pytestmark = pytest.mark.django_db


def test_contributions_list_my_own_work_only(
    member, facilitator, cohort, member_client: Client
) -> None:
    mine = thread_create(cohort=cohort, author=member, title="My thread", body="hello")
    theirs = thread_create(cohort=cohort, author=facilitator, title="Their thread", body="hi")
    reply, _ = post_create(thread=theirs, author=member, body="my reply")
    gone, _ = post_create(thread=theirs, author=member, body="deleted reply")
    post_delete(post=gone, by=member)
    start = timezone.now() - timedelta(days=2)
    session = Session.objects.create(
        cohort=cohort, title="Kick-off", starts_at=start, ends_at=start + timedelta(hours=1)
    )
    Attendance.objects.create(session=session, user=member, status=Attendance.Status.PRESENT)
    goal = LearningGoal.objects.create(cohort=cohort, title="Map partners", proposed_by=facilitator)
    GoalSupport.objects.create(goal=goal, user=member)
    LearningGoal.objects.create(cohort=cohort, title="Not mine", proposed_by=facilitator)

    html = member_client.get("/dashboard/contributions/").content.decode()
    assert f'href="{theirs.get_absolute_url()}#post-{reply.pk}"' in html
    assert f'#post-{gone.pk}"' not in html
    assert f'href="{mine.get_absolute_url()}">My thread' in html
    assert 'Their thread</a> <span class="meta">· ' in html  # as the thread of my reply
    assert f'href="{session.get_absolute_url()}">Kick-off' in html and "Present" in html
    assert "Map partners" in html and "Not mine" not in html


def test_contributions_are_linked_from_the_dashboard_and_header(member_client: Client) -> None:
    html = member_client.get("/dashboard/").content.decode()
    assert html.count('href="/dashboard/contributions/"') == 2


def test_contributions_need_sign_in(client: Client) -> None:
    assert client.get("/dashboard/contributions/").status_code == 302


def test_contributions_page_is_capped_and_costs_a_fixed_number_of_queries(
    member, cohort, member_client: Client
) -> None:
    thread = thread_create(cohort=cohort, author=member, title="Start", body="one")
    member_client.get("/dashboard/contributions/")
    with CaptureQueriesContext(connection) as few:
        member_client.get("/dashboard/contributions/")
    for n in range(SHOWN + 3):
        post_create(thread=thread, author=member, body=f"post {n}")
    with CaptureQueriesContext(connection) as many:
        html = member_client.get("/dashboard/contributions/").content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)
    assert html.count(f'href="{thread.get_absolute_url()}#post-') == SHOWN
    assert "and 4 earlier." in html
