"""Forms of the one-resource and collection pages. They only shape what was typed; the
services decide (and their refusals are shown on the form, with everything kept)."""

from __future__ import annotations

from typing import Any

from django import forms

from cohorts.models import Cohort
from competencies.models import Area, Competency
from resources.models import (
    DESCRIPTION_MAX,
    NOTE_MAX,
    SOURCE_MAX,
    TITLE_MAX,
    USEFUL_NOTE_MAX,
    VERSION_NOTE_MAX,
    Resource,
)
from resources.services import ResourceInput


class _Form(forms.Form):
    def _choices(self, name: str) -> forms.ChoiceField:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        return field


class EditForm(_Form):
    """The fields of creation except kind and file; ``version`` is the one it was based on."""

    title = forms.CharField(max_length=TITLE_MAX)
    url = forms.CharField(
        label="Address", max_length=2000, required=False, help_text="Starting with https://"
    )
    body = forms.CharField(
        label="Note",
        widget=forms.Textarea(attrs={"rows": 12}),
        max_length=NOTE_MAX,
        required=False,
        help_text="Markdown.",
    )
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=DESCRIPTION_MAX,
        required=False,
        help_text="What it is and why it helps. Markdown.",
    )
    competencies = forms.MultipleChoiceField(required=False)
    areas = forms.MultipleChoiceField(label="Credential areas", required=False)
    tags = forms.CharField(
        max_length=600, required=False, help_text="Separate tags with commas (at most 12)."
    )
    scope = forms.ChoiceField(label="Who may see it", choices=Resource.Scope.choices)
    licence = forms.ChoiceField(choices=Resource.Licence.choices, required=False)
    source = forms.CharField(label="Source or attribution", max_length=SOURCE_MAX, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, resource: Resource, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.resource = resource
        framework_id = resource.cohort.framework_id
        self._choices("competencies").choices = [
            (c.code, f"{c.code} {c.title}")
            for c in Competency.objects.filter(framework_id=framework_id).order_by("code")
        ]
        self._choices("areas").choices = [
            (a.slug, a.name)
            for a in Area.objects.filter(framework_id=framework_id).order_by("order", "name")
        ]
        if resource.kind != Resource.Kind.LINK:
            del self.fields["url"]
        if resource.kind != Resource.Kind.NOTE:
            del self.fields["body"]

    @staticmethod
    def initial_for(resource: Resource) -> dict[str, Any]:
        return {
            "title": resource.title,
            "url": resource.url,
            "body": resource.body,
            "description": resource.description,
            "competencies": [c.code for c in resource.competencies.all()],
            "areas": [a.slug for a in resource.areas.all()],
            "tags": ", ".join(t.name for t in resource.tags.order_by("name")),
            "scope": resource.scope,
            "licence": resource.licence,
            "source": resource.source,
            "version": resource.version,
        }

    def to_input(self) -> ResourceInput:
        data = self.cleaned_data
        return ResourceInput(
            title=data["title"],
            description=data.get("description", ""),
            url=data.get("url", ""),
            body=data.get("body", ""),
            scope=data["scope"],
            licence=data.get("licence") or "",
            source=data.get("source", ""),
            areas=data.get("areas") or [],
            competencies=data.get("competencies") or [],
            tags=[data.get("tags") or ""],
        )


class VersionForm(forms.Form):
    file = forms.FileField(label="New version of the file")
    note = forms.CharField(
        label="What changed?",
        max_length=VERSION_NOTE_MAX,
        required=False,
        help_text="Optional; shown in the version history.",
    )


class UsefulForm(forms.Form):
    note = forms.CharField(
        label="How did you use it?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=USEFUL_NOTE_MAX,
        required=False,
        help_text="Optional. Others see your name and this note.",
    )


class CommentForm(forms.Form):
    body = forms.CharField(label="Add a comment", widget=forms.Textarea(attrs={"rows": 4}))


class CollectionForm(_Form):
    title = forms.CharField(max_length=TITLE_MAX)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), max_length=DESCRIPTION_MAX, required=False
    )
    session = forms.TypedChoiceField(
        label="Materials of a session",
        coerce=int,
        required=False,
        empty_value=None,
        help_text="Attached to a session, its resources are listed as that session's materials.",
    )

    def __init__(self, *args: Any, cohort: Cohort, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cohort = cohort
        self.sessions = {s.pk: s for s in cohort.sessions.order_by("starts_at", "pk")}
        self._choices("session").choices = [("", "No session")] + [
            (s.pk, f"{s.title} ({s.starts_at:%d %b %Y})") for s in self.sessions.values()
        ]

    def chosen_session(self) -> Any:
        pk = self.cleaned_data.get("session")
        return self.sessions.get(pk) if pk else None
