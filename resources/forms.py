"""Forms of the repertoire's list pages. They only check shape (lengths, known choices);
the services decide everything else and their refusals are shown at the field they are
about (the service names it: see :func:`field_for_error`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from cohorts.models import Cohort
from competencies.models import Area, Competency
from core.errors import ServiceError
from files.services import ALLOWED, FileError
from resources.models import (
    DESCRIPTION_MAX,
    NOTE_MAX,
    SOURCE_MAX,
    TAG_MAX,
    TAGS_PER_RESOURCE,
    TITLE_MAX,
    Resource,
)
from resources.services import ResourceInput

KIND_HELP = {
    Resource.Kind.LINK: "A web page, article, video or tool, by its address.",
    Resource.Kind.FILE: "A document, slides, a spreadsheet or an image you upload.",
    Resource.Kind.NOTE: "Something you write here, in Markdown.",
}
SCOPE_HELP = {
    Resource.Scope.COHORT: "Only the members and facilitators of this cohort.",
    Resource.Scope.PLATFORM: "Anyone with a Commonplace account, in any cohort.",
    Resource.Scope.PUBLIC: "Anyone on the web, without signing in (only if you may share it).",
}


class CompetencyChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} {obj.title}"


class ResourceForm(forms.Form):
    kind = forms.ChoiceField(
        label="What are you sharing?",
        choices=Resource.Kind.choices,
        initial=Resource.Kind.LINK,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a kind: a link, a file or a note."},
    )
    title = forms.CharField(
        label="Title",
        max_length=TITLE_MAX,
        error_messages={"required": "Give the resource a title."},
    )
    description = forms.CharField(
        label="Description",
        required=False,
        max_length=DESCRIPTION_MAX,
        help_text="What it is and why it helps. Markdown works: **bold**, _italic_, lists.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    url = forms.CharField(
        label="Web address",
        required=False,
        max_length=2000,
        help_text="For a link: the address, starting with https:// or http://.",
        widget=forms.URLInput(attrs={"placeholder": "https://", "inputmode": "url"}),
    )
    file = forms.FileField(
        label="File",
        required=False,
        help_text="",  # set in __init__ (the allowed kinds and the size limit)
    )
    body = forms.CharField(
        label="Note",
        required=False,
        max_length=NOTE_MAX,
        help_text="For a note: its text. Markdown works.",
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    areas = forms.ModelMultipleChoiceField(
        label="Credential areas it supports",
        queryset=Area.objects.none(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    competencies = CompetencyChoices(
        label="Competencies it supports",
        queryset=Competency.objects.none(),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    tags = forms.CharField(
        label="Tags",
        required=False,
        max_length=(TAG_MAX + 2) * TAGS_PER_RESOURCE,
        help_text=(
            f"Separate tags with commas, e.g. “reciprocity, syllabus”. At most "
            f"{TAGS_PER_RESOURCE}; existing tags are suggested as you type."
        ),
        widget=forms.TextInput(attrs={"list": "resource-tag-options", "autocomplete": "off"}),
    )
    licence = forms.ChoiceField(
        label="Licence",
        required=False,
        choices=Resource.Licence.choices,
        help_text="Under what terms others may reuse it, if you know.",
    )
    source = forms.CharField(
        label="Source or attribution",
        required=False,
        max_length=SOURCE_MAX,
        help_text="Who made it, or where it comes from.",
    )
    scope = forms.ChoiceField(
        label="Who may see it",
        choices=Resource.Scope.choices,
        initial=Resource.Scope.COHORT,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose who may see it: this cohort, everyone signed in, or public."
        },
    )

    def __init__(self, *args: Any, cohort: Cohort, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cohort = cohort
        self.fields["areas"].queryset = Area.objects.filter(  # type: ignore[attr-defined]
            framework_id=cohort.framework_id
        ).order_by("order", "name")
        self.fields["competencies"].queryset = (  # type: ignore[attr-defined]
            Competency.objects.filter(framework_id=cohort.framework_id)
            .select_related("area")
            .order_by("area__order", "order", "pk")
        )
        self.fields[
            "file"
        ].help_text = f"For a file. Allowed: {ALLOWED}; up to {settings.MAX_UPLOAD_MB} MB."

    # What the template lays out.

    def kind_options(self) -> list[tuple[Any, str]]:
        return [(option, KIND_HELP.get(option.data["value"], "")) for option in self["kind"]]

    def scope_options(self) -> list[tuple[Any, str]]:
        return [(option, SCOPE_HELP.get(option.data["value"], "")) for option in self["scope"]]

    def competency_groups(self) -> list[tuple[Area, list[Any]]]:
        """The competency checkboxes under their credential area, in framework order."""
        groups: dict[int, tuple[Area, list[Any]]] = {}
        for option in self["competencies"]:
            competency = option.data["value"].instance
            groups.setdefault(competency.area_id, (competency.area, []))[1].append(option)
        return list(groups.values())

    def to_input(self) -> ResourceInput:
        data = self.cleaned_data
        return ResourceInput(
            title=data.get("title") or "",
            description=data.get("description") or "",
            url=data.get("url") or "",
            body=data.get("body") or "",
            scope=data.get("scope") or Resource.Scope.COHORT,
            licence=data.get("licence") or "",
            source=data.get("source") or "",
            areas=list(data.get("areas") or ()),
            competencies=list(data.get("competencies") or ()),
            tags=[data.get("tags") or ""],
        )


# Where a service refusal belongs on the form: by the field its message names.
def field_for_error(error: ServiceError) -> str | None:
    """The form field a refusal is about, or None (shown above the form)."""
    if isinstance(error, FileError):
        return "file"
    return getattr(error, "field", None)
