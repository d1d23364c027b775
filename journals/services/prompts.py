"""Reflection prompts: posted to a cohort by its facilitators, answered in entries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.text import Truncator

from accounts.models import User
from accounts.services import notify
from cohorts.models import Cohort, Membership, Session
from core.markdown import render_markdown
from core.text import clean_input
from journals import permissions
from journals.models import Entry, Prompt, PromptReminder
from journals.services.common import (
    JournalError,
    competencies_from,
    field_error,
    framing_questions_from,
)


@dataclass
class PromptInput:
    title: str
    body: str = ""
    competencies: Sequence[Any] = ()
    framing_questions: Sequence[Any] = ()
    due_on: date | None = None
    session: Session | None = None


def _checked(cohort_id: int, data: PromptInput) -> tuple[dict[str, Any], list[Any], list[Any]]:
    values = clean_input(
        Prompt, {"title": (data.title or "").strip(), "body": data.body or ""}, error=field_error
    )
    if not values["title"]:
        raise JournalError("Give the prompt a title.", code="blank", field="title")
    if data.session is not None and data.session.cohort_id != cohort_id:
        raise JournalError("Choose a session of this cohort.", field="session")
    values["due_on"] = data.due_on
    values["session"] = data.session
    values["body_html"] = render_markdown(values["body"])
    return (
        values,
        competencies_from(data.competencies),
        framing_questions_from(data.framing_questions),
    )


@transaction.atomic
def prompt_create(*, cohort: Cohort, by: User, data: PromptInput) -> Prompt:
    """A facilitator posts a prompt; the cohort's active members are told (a task)."""
    if not permissions.can_manage_prompt(by, cohort):
        raise JournalError("Only the cohort's facilitators post prompts.", code="not_found")
    values, competencies, questions = _checked(cohort.pk, data)
    prompt = Prompt.objects.create(cohort=cohort, author=by, **values)
    prompt.competencies.set(competencies)
    prompt.framing_questions.set(questions)
    transaction.on_commit(lambda: _queue_announce(prompt.pk), robust=True)
    return prompt


def _queue_announce(prompt_id: int) -> None:
    from journals.tasks import notify_prompt

    notify_prompt.enqueue(prompt_id)


@transaction.atomic
def prompt_edit(*, prompt: Prompt, by: User, data: PromptInput) -> Prompt:
    """A facilitator changes a prompt. Moving its due date earns the members a new
    reminder before the new date; other changes keep the reminders already sent."""
    locked = Prompt.objects.select_for_update().get(pk=prompt.pk)
    if not permissions.can_manage_prompt(by, locked):
        raise JournalError("Only the cohort's facilitators edit prompts.", code="not_found")
    values, competencies, questions = _checked(locked.cohort_id, data)
    new_due = values["due_on"] != locked.due_on
    for name, value in values.items():
        setattr(locked, name, value)
    locked.save(update_fields=[*values, "updated_at"])
    locked.competencies.set(competencies)
    locked.framing_questions.set(questions)
    # A new due date earns a new reminder (an edit that keeps it does not).
    if new_due:
        locked.reminders.all().delete()
    return locked


@transaction.atomic
def prompt_close(*, prompt: Prompt, by: User, closed: bool = True) -> Prompt:
    """Close a prompt (members no longer see it as open and get no reminder) or reopen it."""
    locked = Prompt.objects.select_for_update().get(pk=prompt.pk)
    if not permissions.can_manage_prompt(by, locked):
        raise JournalError("Only the cohort's facilitators close prompts.", code="not_found")
    if closed == (locked.closed_at is not None):
        return locked
    locked.closed_at = timezone.now() if closed else None
    locked.save(update_fields=["closed_at", "updated_at"])
    return locked


# --- reminders before the due date ----------------------------------------------------------

# How many days before its due date a prompt is recalled to those who have not answered.
DEFAULT_REMINDER_DAYS = 2


def reminder_days() -> int:
    return int(getattr(settings, "JOURNAL_PROMPT_REMINDER_DAYS", DEFAULT_REMINDER_DAYS))


def prompt_reminders_send(*, today: date | None = None) -> int:
    """Remind each active member who has no entry yet for an open prompt due within
    ``JOURNAL_PROMPT_REMINDER_DAYS`` (default 2) days, once per prompt and person (the
    ``PromptReminder`` rows, under a lock on the prompt, so runs that overlap do not
    remind twice). The notice goes through ``notify``, which e-mails as each person chose
    for "journals.reminder". Any entry counts as an answer here, a private one too: the
    reminder goes only to its author. Returns how many people were reminded (a daily
    task: ``manage.py send_prompt_reminders``)."""
    today = today or timezone.localdate()
    due = Prompt.objects.filter(
        closed_at__isnull=True,
        due_on__gte=today,
        due_on__lte=today + timedelta(days=reminder_days()),
    ).values_list("pk", flat=True)
    return sum(_remind(prompt_id) for prompt_id in list(due))


@transaction.atomic
def _remind(prompt_id: int) -> int:
    prompt = (
        Prompt.objects.select_for_update(of=("self",))
        .select_related("cohort")
        .filter(pk=prompt_id, closed_at__isnull=True)
        .first()
    )
    if prompt is None:
        return 0
    people = list(
        User.objects.filter(
            is_active=True,
            memberships__cohort_id=prompt.cohort_id,
            memberships__status=Membership.Status.ACTIVE,
            memberships__role=Membership.Role.MEMBER,
        )
        .exclude(
            Exists(
                Entry.objects.filter(author=OuterRef("pk"), prompt=prompt, deleted_at__isnull=True)
            )
        )
        .exclude(Exists(PromptReminder.objects.filter(prompt=prompt, user=OuterRef("pk"))))
        .order_by("pk")
    )
    if not people:
        return 0
    PromptReminder.objects.bulk_create([PromptReminder(prompt=prompt, user=p) for p in people])
    assert prompt.due_on is not None
    notify(
        users=people,
        kind="journals.reminder",
        title=f"Reminder: “{short(prompt.title)}” is due {_day(prompt.due_on)}",
        body=(
            f"A reflection prompt in {short(prompt.cohort.title)} is due soon. Answer it in "
            "a journal entry; share the entry with the facilitators when you are ready."
        ),
        url=prompt.get_absolute_url(),
    )
    return len(people)


def _day(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B}"


def short(text: str, chars: int = 80) -> str:
    """A title cut to fit a notification's one line (their titles hold 200 characters)."""
    return Truncator(text).chars(chars)
