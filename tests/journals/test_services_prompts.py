"""Prompts: posted, edited and closed by the cohort's facilitators only; a session must be
the cohort's own; a new due date (and only a new one) earns a new reminder."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import User
from cohorts.models import Cohort, Session
from cohorts.services import invitation_accept, invitation_create, session_create
from journals import permissions
from journals.models import Prompt, PromptReminder
from journals.services import (
    JournalError,
    PromptInput,
    prompt_close,
    prompt_create,
    prompt_edit,
)

pytestmark = pytest.mark.django_db


def session_in(cohort: Cohort, by: User, days: int = 7) -> Session:
    start = (timezone.now() + dt.timedelta(days=days)).replace(second=0, microsecond=0)
    return session_create(
        cohort=cohort,
        by=by,
        title="Assessing with partners",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
    )


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


def ask(cohort: Cohort, by: User, **fields: Any) -> Prompt:
    fields.setdefault("title", "Ask your partner what they gain")
    return prompt_create(cohort=cohort, by=by, data=PromptInput(**fields))


def test_a_facilitator_posts_a_prompt_with_competencies_questions_session_and_due_date(
    home: Cohort, facilitator: User, framework: Any
) -> None:
    session = session_in(home, facilitator)
    due = dt.date.today() + dt.timedelta(days=10)
    prompt = ask(
        home,
        facilitator,
        body="Write down **their** words.\n\n<script>alert(1)</script>",
        competencies=["PAR-3", "PAR-5"],
        framing_questions=["experience"],
        due_on=due,
        session=session,
    )
    assert (prompt.cohort_id, prompt.author_id, prompt.session_id, prompt.due_on) == (
        home.pk,
        facilitator.pk,
        session.pk,
        due,
    )
    assert "<strong>their</strong>" in prompt.body_html and "<script" not in prompt.body_html
    assert set(prompt.competencies.values_list("code", flat=True)) == {"PAR-3", "PAR-5"}
    assert prompt.is_open


def test_a_co_facilitator_posts_too(home: Cohort, facilitator: User, cofacilitator: User) -> None:
    _, token = invitation_create(
        cohort=home, by=facilitator, email=cofacilitator.email, role="facilitator"
    )
    invitation_accept(token=token, user=cofacilitator)
    assert ask(home, fresh(cofacilitator)).author_id == cofacilitator.pk


def test_members_staff_admins_and_other_facilitators_cannot_post(
    home: Cohort,
    member: User,
    member2: User,
    other_facilitator: User,
    other_cohort: Cohort,
    staff: User,
    outsider: User,
    make_user: Callable[..., User],
) -> None:
    admin = make_user("root@example.org", is_staff=True, is_superuser=True)
    for who in (member, member2, other_facilitator, staff, admin, outsider):
        with pytest.raises(JournalError) as caught:
            ask(home, who)
        assert caught.value.code == "not_found"
    assert not Prompt.objects.exists()


def test_a_session_of_another_cohort_is_refused(
    home: Cohort, facilitator: User, other_cohort: Cohort, other_facilitator: User
) -> None:
    theirs = session_in(other_cohort, other_facilitator)
    with pytest.raises(JournalError) as caught:
        ask(home, facilitator, session=theirs)
    assert caught.value.field == "session"
    prompt = ask(home, facilitator)
    with pytest.raises(JournalError):
        prompt_edit(prompt=prompt, by=facilitator, data=PromptInput(title="T", session=theirs))
    assert Prompt.objects.get(pk=prompt.pk).session_id is None


def test_title_is_required_and_competencies_must_exist(
    home: Cohort, facilitator: User, framework: Any
) -> None:
    with pytest.raises(JournalError) as blank:
        ask(home, facilitator, title="  ")
    assert blank.value.field == "title"
    with pytest.raises(JournalError) as unknown:
        ask(home, facilitator, competencies=["PAR-42"])
    assert unknown.value.field == "competencies"
    assert not Prompt.objects.exists()


def test_closing_and_reopening_and_who_may(
    home: Cohort, facilitator: User, member: User, other_facilitator: User
) -> None:
    prompt = ask(home, facilitator)
    assert permissions.can_answer_prompt(member, prompt)
    for who in (member, other_facilitator):
        with pytest.raises(JournalError):
            prompt_close(prompt=prompt, by=who)
    closed = prompt_close(prompt=prompt, by=facilitator)
    assert closed.closed_at is not None and not closed.is_open
    assert not permissions.can_answer_prompt(member, closed)
    assert permissions.can_view_prompt(member, closed)  # still readable
    reopened = prompt_close(prompt=prompt, by=facilitator, closed=False)
    assert reopened.is_open


def test_only_facilitators_edit_and_only_a_new_due_date_resets_reminders(
    home: Cohort, facilitator: User, member: User, member2: User
) -> None:
    due = dt.date.today() + dt.timedelta(days=3)
    prompt = ask(home, facilitator, due_on=due)
    with pytest.raises(JournalError):
        prompt_edit(prompt=prompt, by=member, data=PromptInput(title="Mine now", due_on=due))
    PromptReminder.objects.create(prompt=prompt, user=member)
    PromptReminder.objects.create(prompt=prompt, user=member2)
    same = prompt_edit(prompt=prompt, by=facilitator, data=PromptInput(title="Clearer", due_on=due))
    assert same.title == "Clearer" and prompt.reminders.count() == 2
    later = prompt_edit(
        prompt=prompt,
        by=facilitator,
        data=PromptInput(title="Clearer", due_on=due + dt.timedelta(days=7)),
    )
    assert later.due_on == due + dt.timedelta(days=7) and prompt.reminders.count() == 0
