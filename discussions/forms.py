"""Forms for the discussion pages. They only validate shape; the services decide."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms

from cohorts.models import Cohort, LearningGoal, Session
from core.models import ID_MAX
from core.text import validate_single_line

BODY_HELP = "Markdown works: **bold**, _italic_, lists, links, > quotes. Type @ to mention someone."


def body_field(label: str = "Your post") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=20000,
        help_text=BODY_HELP,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class PostForm(forms.Form):
    body = body_field("Your reply")
    # Generated per render so a resubmitted (or retried) form never posts twice.
    client_id = forms.UUIDField(widget=forms.HiddenInput, required=False)
    reply_to = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=1, max_value=ID_MAX
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("client_id", uuid.uuid4())
        super().__init__(*args, **kwargs)


class ThreadForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200, validators=[validate_single_line])
    body = body_field("First post")
    session = forms.ModelChoiceField(
        label="About a session (optional)",
        queryset=Session.objects.none(),
        required=False,
        help_text="For preparing or following up on a session.",
    )
    goal = forms.ModelChoiceField(
        label="About a learning goal (optional)",
        queryset=LearningGoal.objects.none(),
        required=False,
    )
    announcement = forms.BooleanField(
        label="Announcement (everyone in the cohort is told)", required=False
    )
    client_id = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, cohort: Cohort, can_announce: bool, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("client_id", uuid.uuid4())
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = Session.objects.filter(cohort=cohort).order_by(
            "starts_at"
        )
        self.fields["goal"].queryset = LearningGoal.objects.filter(cohort=cohort).order_by(
            "created_at"
        )
        if not can_announce:
            del self.fields["announcement"]


class EditForm(forms.Form):
    body = body_field("Text")
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
