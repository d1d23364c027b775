"""Forms for proposing, editing and reviewing cohorts, joining them and their goals.

Forms only parse and validate input; every write goes through ``cohorts.services``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.validators import validate_email

from accounts.time_zones import time_zone_choices
from cohorts.models import MESSAGE_MAX, NOTE_MAX, Cohort, CohortReview, LearningGoal
from cohorts.services.lifecycle import EDITABLE_FIELDS
from cohorts.services.membership import PROPOSAL_INVITATIONS_MAX
from competencies.models import Area, Competency, Framework
from core.text import clean_input

DESIGN_FIELDS = ("design_knowledge", "design_learning", "design_identities", "design_democratic")
MAX_CO_FACILITATORS = PROPOSAL_INVITATIONS_MAX


class CohortForm(forms.ModelForm):
    """A cohort proposal: the facts, the focus, and the four design questions.

    ``framework`` fixes which areas and competencies can be chosen. When ``proposing``,
    the form also takes co-facilitators' e-mail addresses (they are invited by e-mail).
    """

    focus_areas = forms.ModelMultipleChoiceField(
        queryset=Area.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Focus credential areas",
        help_text="At least one before you submit the proposal.",
    )
    focus_competencies = forms.ModelMultipleChoiceField(
        queryset=Competency.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Key competencies in focus",
        help_text="Optional: the key competencies members will work on most.",
    )
    time_zone = forms.ChoiceField(
        choices=time_zone_choices,
        initial="America/New_York",
        help_text="The time zone sessions are planned in. Members see times in their own.",
    )
    capacity = forms.IntegerField(
        min_value=2, max_value=200, initial=15, help_text="Members, not counting facilitators."
    )

    class Meta:
        model = Cohort
        fields = [*EDITABLE_FIELDS]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 8}),
            "term_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "term_end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "design_knowledge": forms.Textarea(attrs={"rows": 4}),
            "design_learning": forms.Textarea(attrs={"rows": 4}),
            "design_identities": forms.Textarea(attrs={"rows": 4}),
            "design_democratic": forms.Textarea(attrs={"rows": 4}),
            "join_policy": forms.RadioSelect,
        }
        labels = {
            "title": "Title",
            "host_institution": "Host institution",
            "term_start": "Term starts",
            "term_end": "Term ends",
            "cadence": "Meeting cadence",
            "join_policy": "How people join",
            "listed": "List in the public directory",
            "design_knowledge": "How will everyone share knowledge?",
            "design_learning": "How will everyone keep learning?",
            "design_identities": "How will identities and ways of knowing be woven in?",
            "design_democratic": "How is the design democratic?",
        }

    def __init__(
        self, *args: Any, framework: Framework, proposing: bool = False, **kwargs: Any
    ) -> None:
        instance = kwargs.get("instance")
        if instance is not None and instance.pk and "initial" not in kwargs:
            kwargs["initial"] = {
                "focus_areas": list(instance.focus_areas.all()),
                "focus_competencies": list(instance.focus_competencies.all()),
            }
        super().__init__(*args, **kwargs)
        self.framework = framework
        # A zone set before the list was curated stays a choice until changed.
        self.fields["time_zone"].choices = time_zone_choices(self.instance.time_zone or None)
        self.fields["focus_areas"].queryset = Area.objects.filter(framework=framework).order_by(
            "order", "pk"
        )
        self.fields["focus_competencies"].queryset = (
            Competency.objects.filter(framework=framework)
            .select_related("area")
            .order_by("area__order", "order", "pk")
        )
        self.fields["enrollment_period"].empty_label = "Not tied to an enrollment period"
        self.fields[
            "description"
        ].help_text = "What the community will explore, and who it is for. Markdown is supported."
        for name in ("term_start", "term_end"):
            self.fields[name].widget.format = "%Y-%m-%d"
        if proposing:
            self.fields["co_facilitator_emails"] = forms.CharField(
                required=False,
                label="Co-facilitators",
                widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "off"}),
                help_text="Their e-mail addresses, separated by commas or new lines. "
                "Each gets an invitation link; people without an account can create one.",
            )

    def competency_groups(self) -> list[tuple[Area, list[Any]]]:
        """The competency checkboxes grouped under their area, in framework order."""
        areas = {area.pk: area for area in self.fields["focus_areas"].queryset}
        groups: dict[int, list[Any]] = {}
        for widget in self["focus_competencies"]:
            competency = widget.data["value"].instance
            groups.setdefault(competency.area_id, []).append(widget)
        return [(areas[pk], widgets) for pk, widgets in groups.items() if pk in areas]

    def design_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in DESIGN_FIELDS]

    def clean_title(self) -> str:
        title = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError("Give the cohort a title.")
        return title

    def clean_co_facilitator_emails(self) -> list[str]:
        raw = self.cleaned_data.get("co_facilitator_emails", "")
        emails = [e.strip().lower() for e in re.split(r"[\s,;]+", raw) if e.strip()]
        bad = []
        for email in emails:
            try:
                validate_email(email)
            except forms.ValidationError:
                bad.append(email)
        if bad:
            raise forms.ValidationError("Not an e-mail address: " + ", ".join(bad))
        unique = list(dict.fromkeys(emails))
        if len(unique) > MAX_CO_FACILITATORS:
            raise forms.ValidationError(f"Invite at most {MAX_CO_FACILITATORS} co-facilitators.")
        return unique

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("term_start"), data.get("term_end")
        if start and end and end < start:
            self.add_error("term_end", "The term must end on or after the day it starts.")
        return data

    def _post_clean(self) -> None:
        # Model-level validation would run on the (unsaved) instance; the services own
        # the rules, and ``clean`` above already checks what a form can.
        pass

    def service_fields(self) -> dict[str, Any]:
        """Keyword arguments for ``cohort_propose`` / ``cohort_update``."""
        data = self.cleaned_data
        fields = {name: data[name] for name in EDITABLE_FIELDS}
        fields["areas"] = list(data["focus_areas"])
        fields["competencies"] = list(data["focus_competencies"])
        return fields


class FilterForm(forms.Form):
    """The directory's filters (GET)."""

    area = forms.ChoiceField(required=False, label="Credential area")
    period = forms.ChoiceField(required=False, label="Enrollment period")

    def __init__(self, *args: Any, areas: Iterable[Area], periods: Iterable[Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", "Any area"), *((a.slug, a.name) for a in areas)]
        self.fields["period"].choices = [("", "Any period"), *((p.slug, p.name) for p in periods)]


class JoinForm(forms.Form):
    message = forms.CharField(
        required=False,
        max_length=2000,
        label="A note to the facilitators (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What draws you to this community, or what you hope to bring.",
    )


class ReviewForm(forms.Form):
    """Program staff's review: a judgement and a note for each principle, then a decision.
    Every rule the review service applies is checked here too, so the page reports all
    problems at once rather than one per attempt."""

    decision = forms.ChoiceField(
        choices=CohortReview.Decision.choices, widget=forms.RadioSelect, label="Decision"
    )
    message = forms.CharField(
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        label="Message to the facilitators",
        help_text="Sent by e-mail and shown in the cohort's review history.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label in CohortReview.CRITERIA:
            self.fields[name] = forms.ChoiceField(
                choices=CohortReview.Judgement.choices, widget=forms.RadioSelect, label=label
            )
            self.fields[f"{name}_note"] = forms.CharField(
                required=False,
                max_length=NOTE_MAX,
                label="Note",
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name in ["message", *(f"{n}_note" for n, _ in CohortReview.CRITERIA)]:
            if name not in data:
                continue
            try:
                data[name] = clean_input(CohortReview, {name: data[name]}, error=ValueError)[name]
            except ValueError as error:
                self.add_error(name, str(error))
        judged = [data.get(name) for name, _ in CohortReview.CRITERIA]
        if data.get("decision") == CohortReview.Decision.APPROVE and any(
            j == CohortReview.Judgement.NOT_MET for j in judged
        ):
            self.add_error(
                "decision", "A cohort cannot be approved while a principle does not hold yet."
            )
        return data

    def criteria(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [(label, self[name], self[f"{name}_note"]) for name, label in CohortReview.CRITERIA]

    def judgements(self) -> dict[str, tuple[str, str]]:
        data = self.cleaned_data
        return {
            name: (data[name], data[f"{name}_note"].strip()) for name, _ in CohortReview.CRITERIA
        }


class GoalForm(forms.Form):
    title = forms.CharField(max_length=200, label="Goal")
    description = forms.CharField(
        required=False,
        label="Why it matters (optional)",
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class GoalStatusForm(forms.Form):
    status = forms.ChoiceField(choices=LearningGoal.Status.choices, label="Status")
    note = forms.CharField(required=False, max_length=2000, label="Note")
