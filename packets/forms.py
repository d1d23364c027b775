"""(A) Forms of the packet pages. They shape input; the services decide the rest, and a
refusal is shown at the field it names (``PacketError.field``) with everything typed kept."""

from __future__ import annotations

from typing import Any

from django import forms

from cohorts.models import EnrollmentPeriod
from competencies.models import Area
from core.errors import ServiceError
from journals.selectors.assessments import default_framework
from packets.models import COMMENT_MAX, SECTION_MAX, Packet


def version_field() -> forms.IntegerField:
    return forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        max_value=2**31 - 1,
        error_messages={
            "required": "The form lost track of the version you were editing: reload the page.",
            "invalid": "The form lost track of the version you were editing: reload the page.",
        },
    )


def field_for_error(form: forms.Form, error: ServiceError) -> str | None:
    """The field a refusal is about, if the form has it (else it shows above the form)."""
    name = getattr(error, "field", None)
    return name if name and name in form.fields else None


class AreaChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class NewPacketForm(forms.Form):
    area = AreaChoice(
        label="Credential area",
        queryset=Area.objects.none(),
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the credential area you are applying for."},
    )
    period = forms.ModelChoiceField(
        label="Enrollment period",
        queryset=EnrollmentPeriod.objects.order_by("opens_on", "pk"),
        required=False,
        empty_label="Not decided yet",
        help_text="The application window you plan to apply in. You can have one packet per "
        "area and period.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["area"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Area.objects.filter(framework=default_framework()).order_by("order", "pk")


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label="Status", choices=Packet.Status.choices, widget=forms.RadioSelect
    )
    submitted_on = forms.DateField(
        label="Submitted on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="When you submitted it in the program's own system (today if left empty). "
        "That system stays the place of record.",
    )
    version = version_field()


class ShareForm(forms.Form):
    cohort = forms.ModelChoiceField(
        label="Share with the facilitators of",
        queryset=None,  # type: ignore[arg-type]  # set from the owner's cohorts
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Choose the cohort whose facilitators will read it."},
    )
    confirm = forms.BooleanField(
        label="Yes, let them read this packet and comment on it",
        error_messages={"required": "Tick the box to confirm who will read it."},
    )
    version = version_field()

    def __init__(self, *args: Any, cohorts: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["cohort"]
        assert isinstance(field, forms.ModelChoiceField)
        from cohorts.models import Cohort

        field.queryset = Cohort.objects.filter(pk__in=[c.pk for c in cohorts])
        field.label_from_instance = lambda c: c.title  # type: ignore[method-assign]


class UnshareForm(forms.Form):
    version = version_field()


class AssessmentForm(forms.Form):
    assessment = forms.TypedChoiceField(
        label="Self-assessment shown",
        coerce=int,
        empty_value=None,
        required=False,
    )
    version = version_field()

    def __init__(self, *args: Any, choices: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assessment"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "The latest one for this area")] + [
            (str(s.pk), f"Taken {s.taken_at:%d %b %Y, %H:%M}") for s in choices
        ]


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Your feedback",
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Markdown. Only the packet's owner and its readers see it.",
        error_messages={"required": "Write the comment first."},
    )


class SectionForm(forms.Form):
    body = forms.CharField(
        label="Your text",
        required=False,
        strip=False,
        max_length=SECTION_MAX,
        widget=forms.Textarea(attrs={"rows": 18, "class": "section-editor__body"}),
        help_text="Markdown: **bold**, *italic*, lists, > quotes, [links](https://…).",
    )
    version = version_field()


class QuoteForm(forms.Form):
    entry = forms.TypedChoiceField(label="Entry", coerce=int, choices=())
    paragraph = forms.TypedChoiceField(
        label="Passage",
        coerce=int,
        choices=(),
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the passage to quote."},
    )

    def __init__(self, *args: Any, entries: list[Any], passages: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        entry = self.fields["entry"]
        assert isinstance(entry, forms.TypedChoiceField)
        entry.choices = [(str(e.pk), e.title) for e in entries]
        paragraph = self.fields["paragraph"]
        assert isinstance(paragraph, forms.TypedChoiceField)
        paragraph.choices = [(str(i), text) for i, text in enumerate(passages)]
