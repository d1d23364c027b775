"""The reminder before a prompt is due: a daily command queues a task that tells each
active member who has not answered yet, once, as they chose to hear of reminders."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Notification, User
from accounts.services import notification_preference_set
from cohorts.models import Cohort
from journals.models import Entry, Prompt, PromptReminder
from journals.services import PromptInput, entry_delete, prompt_close, prompt_edit
from journals.services.prompts import prompt_reminders_send

# The entry-pages stand-in and the post_prompt fixture.
pytest_plugins = ["tests.journals.prompts_support"]
pytestmark = pytest.mark.django_db


def days_from_today(n: int) -> date:
    return timezone.localdate() + timedelta(days=n)


def _reminded(prompt: Prompt) -> set[str]:
    return {
        n.user.email
        for n in Notification.objects.filter(
            kind="journals.reminder", url=prompt.get_absolute_url()
        )
    }


@pytest.mark.django_db(transaction=True)
def test_the_daily_command_reminds_unanswered_members_once_through_the_task_worker(
    post_prompt: Callable[..., Prompt],
    write: Callable[..., Entry],
    member: User,
    member2: User,
    facilitator: User,
    home: Cohort,
    add_members: Callable[[Cohort, int], list[User]],
    task_worker: Callable[[], None],
) -> None:
    (third,) = add_members(home, 1)
    soon = post_prompt("Due in two days", due_on=days_from_today(2))
    later = post_prompt("Due in three days", due_on=days_from_today(3))
    past = post_prompt("Already past", due_on=days_from_today(-1))
    closed = post_prompt("Closed early", due_on=days_from_today(1))
    prompt_close(prompt=closed, by=facilitator)
    write(member, prompt=soon, title="Answered privately")  # private still counts as answered
    gone = write(third, prompt=soon, title="Deleted answer")
    entry_delete(entry=gone, by=third)
    task_worker()  # the announcements of the new prompts
    Notification.objects.all().delete()
    mail.outbox.clear()

    out = io.StringIO()
    call_command("send_prompt_reminders", stdout=out)
    assert "Queued" in out.getvalue()
    assert not Notification.objects.filter(kind="journals.reminder").exists()
    task_worker()

    assert _reminded(soon) == {member2.email, third.email}
    assert not _reminded(later) and not _reminded(past) and not _reminded(closed)
    note = Notification.objects.get(kind="journals.reminder", user=member2)
    assert "Due in two days" in note.title
    # Reminders default to an instant e-mail.
    assert sorted(m.to[0] for m in mail.outbox) == sorted([member2.email, third.email])

    call_command("send_prompt_reminders", stdout=io.StringIO())
    task_worker()
    assert Notification.objects.filter(kind="journals.reminder").count() == 2
    assert PromptReminder.objects.filter(prompt=soon).count() == 2
    assert len(mail.outbox) == 2


def test_a_member_who_turned_reminder_mail_off_is_told_in_the_app_only(
    post_prompt: Callable[..., Prompt], member: User, member2: User
) -> None:
    notification_preference_set(user=member2, kind="journals.reminder", delivery="off")
    post_prompt(due_on=days_from_today(1))
    assert prompt_reminders_send() == 2
    deliveries = dict(
        Notification.objects.filter(kind="journals.reminder").values_list("user__email", "delivery")
    )
    assert deliveries == {member.email: "instant", member2.email: ""}


def test_the_facilitators_and_people_who_left_are_not_reminded(
    post_prompt: Callable[..., Prompt], member: User, member2: User, facilitator: User
) -> None:
    from cohorts.models import Membership
    from cohorts.services import membership_leave

    membership_leave(membership=Membership.objects.get(user=member2))
    prompt = post_prompt(due_on=days_from_today(0))
    assert prompt_reminders_send() == 1
    assert _reminded(prompt) == {member.email}


def test_how_far_ahead_is_a_setting(
    settings: Any, post_prompt: Callable[..., Prompt], member: User
) -> None:
    prompt = post_prompt(due_on=days_from_today(4))
    assert prompt_reminders_send() == 0
    settings.JOURNAL_PROMPT_REMINDER_DAYS = 5
    assert prompt_reminders_send() == 2
    assert member.email in _reminded(prompt)


def test_moving_the_due_date_reminds_again_but_other_edits_do_not(
    post_prompt: Callable[..., Prompt], facilitator: User
) -> None:
    prompt = post_prompt("Before", due_on=days_from_today(1))
    assert prompt_reminders_send() == 2
    prompt_edit(
        prompt=prompt, by=facilitator, data=PromptInput(title="Renamed", due_on=prompt.due_on)
    )
    assert prompt_reminders_send() == 0
    prompt_edit(
        prompt=prompt, by=facilitator, data=PromptInput(title="Moved", due_on=days_from_today(2))
    )
    assert prompt_reminders_send() == 2
    assert Notification.objects.filter(kind="journals.reminder").count() == 4


def test_the_command_can_send_at_once(post_prompt: Callable[..., Prompt]) -> None:
    post_prompt(due_on=days_from_today(1))
    out = io.StringIO()
    call_command("send_prompt_reminders", "--now", stdout=out)
    assert "Reminded 2 people of prompts due within 2 days." in out.getvalue()
