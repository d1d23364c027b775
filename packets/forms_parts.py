"""(B) Forms of the packet's artifacts and development list. They check the shape of what
was typed; the services decide the rules (and their refusals are shown on the form)."""

from __future__ import annotations

from typing import Any

from django import forms

from packets.models import ANNOTATION_MAX, TITLE_MAX
from packets.services.development import DevelopmentInput


class ArtifactForm(forms.Form):
    annotation = forms.CharField(
        label="Annotation",
        required=False,
        max_length=ANNOTATION_MAX,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "true"}),
        help_text="What this artifact shows about your practice, for the reviewers.",
    )
    competencies = forms.MultipleChoiceField(
        label="Competencies it shows",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Key competencies of this credential area.",
    )

    def __init__(self, *args: Any, competencies: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["competencies"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(str(pk), label) for pk, label in competencies]


_DATE = {"invalid": "Enter the date as YYYY-MM-DD."}


class DevelopmentForm(forms.Form):
    title = forms.CharField(label="Title", max_length=TITLE_MAX)
    organiser = forms.CharField(
        label="Organiser", max_length=TITLE_MAX, required=False,
        help_text="Who offered it: a college, a network, a provider.",
    )  # fmt: skip
    started_on = forms.DateField(
        label="Started", required=False, error_messages=_DATE,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )  # fmt: skip
    ended_on = forms.DateField(
        label="Ended", required=False, error_messages=_DATE,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )  # fmt: skip
    detail = forms.CharField(
        label="Detail", max_length=TITLE_MAX, required=False,
        help_text="For example: 5 of 6 sessions attended, 12 hours, presented a poster.",
    )  # fmt: skip
    included = forms.BooleanField(label="Include in the application", required=False, initial=True)

    def to_input(self) -> DevelopmentInput:
        data = self.cleaned_data
        return DevelopmentInput(
            title=data.get("title") or "",
            organiser=data.get("organiser") or "",
            started_on=data.get("started_on"),
            ended_on=data.get("ended_on"),
            detail=data.get("detail") or "",
            included=bool(data.get("included")),
        )
