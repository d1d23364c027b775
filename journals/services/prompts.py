"""Reflection prompts: posted to a cohort by its facilitators, answered in entries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from cohorts.models import Cohort, Session
from core.markdown import render_markdown
from core.text import clean_input
from journals import permissions
from journals.models import Prompt
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
    locked = Prompt.objects.select_for_update().get(pk=prompt.pk)
    if not permissions.can_manage_prompt(by, locked):
        raise JournalError("Only the cohort's facilitators edit prompts.", code="not_found")
    values, competencies, questions = _checked(locked.cohort_id, data)
    new_due = values["due_on"] != locked.due_on
    for name, value in values.items():
        setattr(locked, name, value)
    locked.save()
    locked.competencies.set(competencies)
    locked.framing_questions.set(questions)
    # A new due date earns a new reminder (an edit that keeps it does not).
    if new_due:
        locked.reminders.all().delete()
    return locked


@transaction.atomic
def prompt_close(*, prompt: Prompt, by: User, closed: bool = True) -> Prompt:
    locked = Prompt.objects.select_for_update().get(pk=prompt.pk)
    if not permissions.can_manage_prompt(by, locked):
        raise JournalError("Only the cohort's facilitators close prompts.", code="not_found")
    locked.closed_at = timezone.now() if closed else None
    locked.save(update_fields=["closed_at", "updated_at"])
    return locked
