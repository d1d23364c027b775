"""Forms of the trainings pages. They parse what was typed; the rules live in services."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django import forms

from competencies.models import Area, Competency
from trainings.models import Judgement, Provider, Review, Training

_DATE = r"(\d{4}-\d{2}-\d{2})"
_RUN_RE = re.compile(rf"^\s*{_DATE}\s*(?:(?:to|\u2013|-{{1,2}})\s*{_DATE})?\s*$")


def _lines(value: str) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


class CompetencyChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Competency) -> str:
        return f"{obj.code} {obj.title}"


def competency_field(required: bool = False) -> CompetencyChoices:
    return CompetencyChoices(
        queryset=Competency.objects.filter(framework__is_default=True)
        .select_related("area")
        .order_by("area__order", "order"),
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
        required=required,
        label="Competencies addressed",
    )


class CompetencyGroups:
    def competency_groups(self) -> list[tuple[Area, list[Any]]]:
        """The competency checkboxes grouped under their area, in framework order."""
        groups: dict[int, tuple[Area, list[Any]]] = {}
        for widget in self["competencies"]:  # type: ignore[index]
            competency = widget.data["value"].instance
            groups.setdefault(competency.area_id, (competency.area, []))[1].append(widget)
        return list(groups.values())


class ProviderForm(forms.Form):
    name = forms.CharField(label="Organisation name", max_length=200)
    website = forms.CharField(label="Website", max_length=500, required=False)
    contact_name = forms.CharField(label="Contact person", max_length=150, required=False)
    contact_email = forms.CharField(label="Contact e-mail", max_length=254, required=False)
    domains = forms.CharField(
        label="E-mail domains",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line, like example.org: the domains your organisation's people "
        "use. Reviewers with an address at one of them do not review your trainings.",
    )

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["domains"] = [d for line in _lines(data["domains"]) for d in line.split(",")]
        return data


class TrainingForm(CompetencyGroups, forms.Form):
    title = forms.CharField(max_length=200)
    format = forms.ChoiceField(choices=Training.Format.choices)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), max_length=10_000)
    curriculum = forms.CharField(
        label="Curriculum outline",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=10_000,
        required=False,
    )
    learning_goals = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="One per line.",
    )
    delivery = forms.ChoiceField(choices=Training.Delivery.choices)
    location = forms.CharField(max_length=200, required=False, help_text="For in-person runs.")
    self_paced = forms.BooleanField(label="Self-paced (no fixed dates)", required=False)
    runs = forms.CharField(
        label="Dates",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="One run per line: 2027-03-01 to 2027-04-12 (or one date for a one-day run).",
    )
    duration_hours = forms.CharField(label="Duration in hours", max_length=12)
    cost_amount = forms.CharField(
        label="Cost", max_length=16, required=False, help_text="Leave empty if it is free."
    )
    cost_currency = forms.CharField(
        label="Currency", max_length=3, required=False, help_text="Three letters, like USD."
    )
    registration_url = forms.CharField(label="Registration link", max_length=500, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["competencies"] = competency_field()

    @classmethod
    def initial_for(cls, training: Training) -> dict[str, Any]:
        return {
            "title": training.title,
            "format": training.format,
            "description": training.description,
            "curriculum": training.curriculum,
            "learning_goals": "\n".join(training.learning_goals or []),
            "delivery": training.delivery,
            "location": training.location,
            "self_paced": training.self_paced,
            "runs": "\n".join(
                f"{r.starts_on:%Y-%m-%d} to {r.ends_on:%Y-%m-%d}" for r in training.runs.all()
            ),
            "duration_hours": training.duration_hours,
            "cost_amount": training.cost_amount or "",
            "cost_currency": training.cost_currency,
            "registration_url": training.registration_url,
            "competencies": [c.code for c in training.competencies.all()],
        }

    def clean_runs(self) -> list[tuple[date, date]]:
        runs = []
        for line in _lines(self.cleaned_data["runs"]):
            match = _RUN_RE.match(line)
            try:
                if not match:
                    raise ValueError
                start = date.fromisoformat(match.group(1))
                end = date.fromisoformat(match.group(2) or match.group(1))
            except ValueError:
                raise forms.ValidationError(
                    f"“{line}” is not a run: write 2027-03-01 to 2027-04-12."
                ) from None
            runs.append((start, end))
        return runs

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["learning_goals"] = _lines(data["learning_goals"])
        data["competency_codes"] = [c.code for c in data.pop("competencies")]
        return data


class ReviewForm(CompetencyGroups, forms.Form):
    guided_instruction = forms.ChoiceField(
        label="Guided instruction", choices=Judgement.choices, widget=forms.RadioSelect
    )
    guided_instruction_note = forms.CharField(
        label="Note on guided instruction", widget=forms.Textarea(attrs={"rows": 2}),
        required=False, max_length=2000,
    )  # fmt: skip
    curriculum = forms.ChoiceField(
        label="A clear curriculum", choices=Judgement.choices, widget=forms.RadioSelect
    )
    curriculum_note = forms.CharField(
        label="Note on the curriculum", widget=forms.Textarea(attrs={"rows": 2}),
        required=False, max_length=2000,
    )  # fmt: skip
    learning_goals = forms.ChoiceField(
        label="Stated learning goals", choices=Judgement.choices, widget=forms.RadioSelect
    )
    learning_goals_note = forms.CharField(
        label="Note on the learning goals", widget=forms.Textarea(attrs={"rows": 2}),
        required=False, max_length=2000,
    )  # fmt: skip
    decision = forms.ChoiceField(choices=Review.Decision.choices, widget=forms.RadioSelect)
    approved_until = forms.DateField(
        label="Approved until",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="For an approval: the last day it holds.",
    )
    message = forms.CharField(
        label="Message to the provider",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=4000,
        help_text="Signed by the Content Advisory Board; your name is not shown.",
    )

    CRITERIA = ("guided_instruction", "curriculum", "learning_goals")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["competencies"] = competency_field()
        self.fields["competencies"].help_text = "Confirm or correct what the provider chose."

    def criteria(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[name], self[f"{name}_note"]) for name in self.CRITERIA]

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "decision": data["decision"],
            "judgements": {n: (data[n], data[f"{n}_note"]) for n in self.CRITERIA},
            "message": data["message"],
            "approved_until": data["approved_until"],
            "competency_codes": [c.code for c in data["competencies"]],
        }


class RenewalForm(forms.Form):
    message = forms.CharField(
        label="Anything the board should know (optional)",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=4000,
    )


class CompletionsCsvForm(forms.Form):
    file = forms.FileField(
        label="CSV of completions",
        help_text="A header row with “email” and, optionally, “completed_on” (YYYY-MM-DD).",
    )

    def text(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > 1_000_000:
            raise forms.ValidationError("The file is larger than 1 MB.")
        try:
            return upload.read().decode("utf-8")
        except UnicodeDecodeError:
            raise forms.ValidationError("The file must be UTF-8 text.") from None


class CompletionForm(forms.Form):
    completed_on = forms.DateField(
        label="Completed on", widget=forms.DateInput(attrs={"type": "date"})
    )
    hours = forms.CharField(label="Hours", max_length=12)
    certificate = forms.FileField(
        label="Certificate (optional)", required=False, help_text="A PDF or an image."
    )


class ConflictForm(forms.Form):
    provider = forms.ModelChoiceField(
        label="Organisation", queryset=Provider.objects.order_by("name")
    )


class ProviderRequestForm(forms.Form):
    organisation = forms.CharField(label="Your organisation", max_length=200)
    message = forms.CharField(
        label="What you offer (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
    )
