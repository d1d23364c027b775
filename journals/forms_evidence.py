"""Forms of the evidence pages. They only shape what was typed; the evidence services
decide (and their refusals are shown on the form, with everything kept)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from journals.models import ANNOTATION_MAX, TITLE_MAX, Evidence
from journals.selectors.evidence import Target
from journals.services.evidence import EvidenceInput

Kind = Evidence.Kind

# The picker's label and an empty choice, by kind.
TARGET_LABELS = {
    Kind.RESOURCE: ("Resource", "Choose a resource…"),
    Kind.POST: ("Your post", "Choose one of your posts…"),
    Kind.SESSION: ("Session you attended", "Choose a session…"),
    Kind.GOAL: ("Learning goal", "Choose a goal…"),
    Kind.TRAINING: ("Training you completed", "Choose a training…"),
}
# What each kind is, as the kind chooser explains it.
KIND_HELP = {
    Kind.RESOURCE: "Something from your cohorts' library: a guide, a file, a note or a link.",
    Kind.POST: "Something you wrote in a discussion.",
    Kind.SESSION: "A session you attended.",
    Kind.GOAL: "One of your cohort's learning goals.",
    Kind.TRAINING: "A training on your professional development list.",
    Kind.URL: "Any page on the web: a report, an article, a project site.",
    Kind.FILE: "A document, slide deck, spreadsheet or image from your computer.",
}
NO_COMPETENCY = ("", "No particular competency")

CompetencyGroups = Sequence[tuple[str, Sequence[tuple[int, str]]]]


def _annotation() -> forms.CharField:
    return forms.CharField(
        label="What it shows",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=ANNOTATION_MAX,
        required=False,
        help_text="A sentence or two on what this shows about your practice.",
    )


def _competency(groups: CompetencyGroups) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label="Competency it supports",
        coerce=int,
        empty_value=None,
        required=False,
        choices=[NO_COMPETENCY, *((name, list(items)) for name, items in groups)],
    )


def target_choices(targets: Sequence[Target], empty: str) -> list[tuple[Any, str]]:
    return [("", empty)] + [
        (t.value, f"{t.title} — {t.detail}" if t.detail else t.title) for t in targets
    ]


class EvidenceForm(forms.Form):
    """Adding one piece of evidence of one kind: only that kind's fields are kept."""

    kind = forms.ChoiceField(choices=Kind.choices, widget=forms.HiddenInput)
    target = forms.IntegerField(min_value=1, widget=forms.Select)
    version = forms.IntegerField(
        label="File version",
        min_value=1,
        required=False,
        help_text="Optional: cite one version of a file (its number, from the resource's "
        "version history). Leave empty to cite the resource as it is now.",
    )
    url = forms.CharField(
        label="Address", max_length=2000, required=False, help_text="Starting with https://"
    )
    file = forms.FileField(label="File", required=False)
    label = forms.CharField(
        label="Name",
        max_length=TITLE_MAX,
        required=False,
        help_text="Optional: how it is listed (otherwise its address or file name).",
    )
    annotation = _annotation()
    competency = forms.TypedChoiceField(required=False)

    def __init__(
        self,
        *args: Any,
        kind: str,
        targets: Sequence[Target] = (),
        extra_target: Target | None = None,
        competencies: CompetencyGroups = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.evidence_kind = kind
        self.fields["kind"].initial = kind
        self.fields["competency"] = _competency(competencies)
        if kind in TARGET_LABELS:
            label, empty = TARGET_LABELS[Kind(kind)]
            field = self.fields["target"]
            field.label = label
            field.error_messages["required"] = "Choose what to cite."
            shown = list(targets)
            if extra_target is not None and all(t.value != extra_target.value for t in shown):
                shown.insert(0, extra_target)
            field.widget.choices = target_choices(shown, empty)
        else:
            del self.fields["target"]
        if kind != Kind.RESOURCE:
            del self.fields["version"]
        if kind != Kind.URL:
            del self.fields["url"]
        else:
            self.fields["url"].required = True
            self.fields["url"].error_messages["required"] = (
                "Give the link's address (starting with https://)."
            )
        if kind != Kind.FILE:
            del self.fields["file"]
        else:
            self.fields["file"].required = True
            self.fields["file"].error_messages["required"] = "Choose a file to upload."
        if kind not in (Kind.URL, Kind.FILE):
            del self.fields["label"]

    def to_input(self) -> EvidenceInput:
        data = self.cleaned_data
        return EvidenceInput(
            kind=self.evidence_kind,
            target=data.get("target"),
            version=data.get("version"),
            url=data.get("url") or "",
            label=data.get("label") or "",
            annotation=data.get("annotation") or "",
            competency=data.get("competency"),
        )


class EvidenceEditForm(forms.Form):
    """The annotation and competency of a piece of evidence (and a link's or a file's
    name): what it cites stays; to cite something else, remove it and add another."""

    label = forms.CharField(
        label="Name",
        max_length=TITLE_MAX,
        required=False,
        help_text="How it is listed (empty: its address or file name).",
    )
    annotation = _annotation()
    competency = forms.TypedChoiceField(required=False)

    def __init__(self, *args: Any, kind: str, competencies: CompetencyGroups, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["competency"] = _competency(competencies)
        if kind not in (Kind.URL, Kind.FILE):
            del self.fields["label"]


class UseAsEvidenceForm(forms.Form):
    """ "Add it to one of my entries": which entry, and what it shows there."""

    entry = forms.TypedChoiceField(label="Your entry", coerce=int)
    annotation = _annotation()
    competency = forms.TypedChoiceField(required=False)

    def __init__(
        self,
        *args: Any,
        entries: Sequence[tuple[int, str]],
        competencies: CompetencyGroups,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["entry"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Choose an entry…"), *entries]
        field.error_messages["required"] = "Choose the entry to add it to."
        field.error_messages["invalid_choice"] = "Choose one of your entries."
        self.fields["competency"] = _competency(competencies)
