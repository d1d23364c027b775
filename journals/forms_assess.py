"""The self-assessment form: every key competency of one credential area, rated on the
framework's levels, each with an optional note, and a note on the whole sitting.

The form only bounds what is typed; the rules (every competency rated, levels from the
framework) are ``journals.services.self_assessment_take``'s, and a refusal is shown on the
field it names.
"""

from __future__ import annotations

from typing import Any

from django import forms

from competencies.models import Area, Competency
from journals.models import RATING_NOTE_MAX
from journals.services import RatingInput


def level_field(competency: Competency) -> str:
    return f"level_{competency.pk}"


def note_field(competency: Competency) -> str:
    return f"note_{competency.pk}"


class SelfAssessmentForm(forms.Form):
    note = forms.CharField(
        required=False,
        max_length=RATING_NOTE_MAX,
        label="A note on this self-assessment (optional)",
        help_text="What you were thinking about as you rated: a recent project, a question "
        "you are working on.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self,
        *args: Any,
        area: Area,
        levels: list[str],
        last: dict[int, int] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.area = area
        self.levels = levels
        self.last = last or {}
        self.competencies = list(area.competencies.all())
        choices = [(str(index), name) for index, name in enumerate(levels)]
        for competency in self.competencies:
            self.fields[level_field(competency)] = forms.ChoiceField(
                choices=choices,
                widget=forms.RadioSelect,
                label=f"{competency.code} {competency.title}",
                error_messages={"required": f"Choose a level for {competency.code}."},
            )
            self.fields[note_field(competency)] = forms.CharField(
                required=False,
                max_length=RATING_NOTE_MAX,
                label=f"Note on {competency.code} (optional)",
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def rows(self) -> list[dict[str, Any]]:
        """What the template draws per competency: the competency, its radio group, its
        note, and the level chosen last time (if any)."""
        out = []
        for competency in self.competencies:
            previous = self.last.get(competency.pk)
            out.append(
                {
                    "competency": competency,
                    "level": self[level_field(competency)],
                    "note": self[note_field(competency)],
                    "last": self.levels[previous]
                    if previous is not None and 0 <= previous < len(self.levels)
                    else "",
                }
            )
        return out

    def ratings(self) -> list[RatingInput]:
        data = self.cleaned_data
        return [
            RatingInput(
                competency=competency,
                level=int(data[level_field(competency)]),
                note=data.get(note_field(competency), ""),
            )
            for competency in self.competencies
        ]

    def show_error(self, field: str | None, message: str) -> None:
        """A service refusal, on the field it names when the form has it."""
        self.add_error(field if field in self.fields else None, message)
