"""Forms of the prompt pages and the feedback thread. They check shape (lengths, known
choices, a due date not already past); the services decide the rest and their refusals are
shown at the field they name."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone

from cohorts.models import Cohort, Session
from competencies.models import Area, Competency, FramingQuestion
from core.errors import ServiceError
from journals.models import COMMENT_MAX, PROMPT_MAX, TITLE_MAX, Prompt
from journals.selectors.prompts import session_choices
from journals.services import PromptInput


class CompetencyChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} {obj.title}"


class SessionChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        try:
            zone = ZoneInfo(obj.time_zone)
        except (ValueError, KeyError):
            zone = timezone.get_current_timezone()
        when = timezone.localtime(obj.starts_at, zone)
        cancelled = " (cancelled)" if obj.cancelled_at else ""
        return f"{obj.title}, {when:%a} {when.day} {when:%b %Y}{cancelled}"


class PromptForm(forms.Form):
    title = forms.CharField(
        label="Title",
        max_length=TITLE_MAX,
        help_text="A short question or invitation, e.g. “A moment you shared power”.",
        error_messages={"required": "Give the prompt a title."},
    )
    body = forms.CharField(
        label="What to reflect on",
        required=False,
        max_length=PROMPT_MAX,
        help_text="What you invite members to reflect on. Markdown works: **bold**, lists, links.",
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    competencies = CompetencyChoices(
        label="Competencies it speaks to",
        queryset=Competency.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    framing_questions = forms.ModelMultipleChoiceField(
        label="Framing questions it speaks to",
        queryset=FramingQuestion.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    due_on = forms.DateField(
        label="Due date",
        required=False,
        help_text="Optional. Members who have not answered are reminded shortly before.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter the due date as a date, e.g. 2027-03-15."},
    )
    session = SessionChoice(
        label="Session",
        queryset=Session.objects.none(),
        required=False,
        empty_label="Not tied to a session",
        help_text="Optional: the session the prompt prepares for or follows up on.",
        error_messages={"invalid_choice": "Choose a session of this cohort."},
    )
    # When the prompt was last saved, as the person saw it: an edit over a newer save is
    # refused rather than silently overwriting a co-facilitator's change.
    seen = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, cohort: Cohort, prompt: Prompt | None = None, **kw: Any):
        super().__init__(*args, **kw)
        self.cohort = cohort
        self.prompt = prompt
        from competencies.selectors import default_framework

        framework = default_framework()
        competencies = Competency.objects.none()
        questions = FramingQuestion.objects.none()
        if framework is not None:
            competencies = (
                Competency.objects.filter(framework=framework)
                .select_related("area")
                .order_by("area__order", "order", "pk")
            )
            questions = FramingQuestion.objects.filter(framework=framework).order_by("order", "pk")
        self.fields["competencies"].queryset = competencies  # type: ignore[attr-defined]
        self.fields["framing_questions"].queryset = questions  # type: ignore[attr-defined]
        self.fields["session"].queryset = session_choices(  # type: ignore[attr-defined]
            cohort, keep=prompt.session if prompt else None
        )

    @classmethod
    def initial_for(cls, prompt: Prompt) -> dict[str, Any]:
        return {
            "title": prompt.title,
            "body": prompt.body,
            "competencies": list(prompt.competencies.all()),
            "framing_questions": list(prompt.framing_questions.all()),
            "due_on": prompt.due_on,
            "session": prompt.session,
            "seen": prompt.updated_at.isoformat(),
        }

    def clean_due_on(self) -> date | None:
        due: date | None = self.cleaned_data.get("due_on")
        unchanged = self.prompt is not None and due == self.prompt.due_on
        if due is not None and not unchanged and due < timezone.localdate():
            raise forms.ValidationError("The due date has passed: choose today or a later day.")
        return due

    def is_stale(self) -> bool:
        """Someone saved the prompt since this person opened it."""
        if self.prompt is None:
            return False
        seen = self.cleaned_data.get("seen") or ""
        return bool(seen) and seen != self.prompt.updated_at.isoformat()

    def competency_groups(self) -> list[tuple[Area, list[Any]]]:
        """The competency checkboxes under their credential area, in framework order."""
        groups: dict[int, tuple[Area, list[Any]]] = {}
        for option in self["competencies"]:
            competency = option.data["value"].instance
            groups.setdefault(competency.area_id, (competency.area, []))[1].append(option)
        return list(groups.values())

    def to_input(self) -> PromptInput:
        data = self.cleaned_data
        return PromptInput(
            title=data.get("title") or "",
            body=data.get("body") or "",
            competencies=list(data.get("competencies") or ()),
            framing_questions=list(data.get("framing_questions") or ()),
            due_on=data.get("due_on"),
            session=data.get("session"),
        )


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Your comment",
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Write the comment first."},
    )


def field_for_error(error: ServiceError, form: forms.Form) -> str | None:
    """The form field a service refusal is about, or None (shown above the form)."""
    name = getattr(error, "field", None)
    return name if name in form.fields else None
