"""What the repertoire's REST API reads and answers (resources/api.py).

Input serializers only bound sizes and shapes; the rules (http/https links, the cohort's
framework, tags, licences, scopes) are the services', so the API refuses exactly what the
pages refuse, with the same messages and codes.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cohorts.api import PersonSerializer
from resources.models import (
    DESCRIPTION_MAX,
    NOTE_MAX,
    SOURCE_MAX,
    TAG_MAX,
    TAGS_PER_RESOURCE,
    TITLE_MAX,
    USEFUL_NOTE_MAX,
    VERSION_NOTE_MAX,
    FileVersion,
    Resource,
)

# Competencies and areas a resource may name: more than any framework has is a mistake.
LINKED_MAX = 50


def _absolute(context: dict[str, Any], path: str) -> str:
    request = context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


def version_url(resource_id: int, number: int) -> str:
    """The stable URL of one file version (journals cite it; downloads go through it)."""
    return reverse("resources:version", args=[resource_id, number])


class FileVersionSerializer(serializers.Serializer):
    """One uploaded version of a file resource; every version stays downloadable."""

    number = serializers.IntegerField(read_only=True)
    note = serializers.CharField(read_only=True)
    name = serializers.CharField(source="file.original_name", read_only=True)
    size = serializers.IntegerField(source="file.size", read_only=True)
    content_type = serializers.CharField(source="file.content_type", read_only=True)
    uploaded_by = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(read_only=True)
    download_url = serializers.SerializerMethodField()

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_uploaded_by(self, version: FileVersion) -> dict[str, Any] | None:
        user = version.uploaded_by
        return None if user is None else {"id": user.pk, "name": user.display_name}

    def get_download_url(self, version: FileVersion) -> str:
        return _absolute(self.context, version_url(version.resource_id, version.number))


class ResourceSerializer(serializers.ModelSerializer):
    """A resource as every reader sees it. ``contributor`` is null once the contributor's
    account was deleted (the resource stays with the cohort). ``download_url`` is the
    current version's stable URL (files only, else null)."""

    cohort = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    competencies = serializers.SerializerMethodField()
    areas = serializers.SerializerMethodField()
    tags = serializers.SerializerMethodField()
    contributor = serializers.SerializerMethodField()
    html_url = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Resource
        fields = [
            "id",
            "kind",
            "title",
            "description",
            "description_html",
            "url",
            "body",
            "body_html",
            "competencies",
            "areas",
            "tags",
            "cohort",
            "contributor",
            "scope",
            "licence",
            "source",
            "featured",
            "useful_count",
            "created_at",
            "updated_at",
            "version",
            "html_url",
            "download_url",
        ]
        read_only_fields = fields

    def get_competencies(self, resource: Resource) -> list[str]:
        rows = getattr(resource, "competency_list", None)
        if rows is None:
            rows = list(resource.competencies.all())
        return sorted(c.code for c in rows)

    def get_areas(self, resource: Resource) -> list[str]:
        rows = getattr(resource, "area_list", None)
        if rows is None:
            rows = list(resource.areas.all())
        return sorted(a.slug for a in rows)

    def get_tags(self, resource: Resource) -> list[str]:
        rows = getattr(resource, "tag_list", None)
        if rows is None:
            rows = list(resource.tags.order_by("name"))
        return [t.name for t in rows]

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_contributor(self, resource: Resource) -> dict[str, Any] | None:
        user = resource.contributor
        return None if user is None else {"id": user.pk, "name": user.display_name}

    def get_html_url(self, resource: Resource) -> str:
        return _absolute(self.context, resource.get_absolute_url())

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_download_url(self, resource: Resource) -> str | None:
        current = resource.current_version
        if resource.kind != Resource.Kind.FILE or current is None:
            return None
        return _absolute(self.context, version_url(resource.pk, current.number))


class ResourceDetailSerializer(ResourceSerializer):
    """One resource, with every version of a file (newest first; empty for links and
    notes)."""

    versions = serializers.SerializerMethodField()

    class Meta(ResourceSerializer.Meta):
        fields = [*ResourceSerializer.Meta.fields, "versions"]
        read_only_fields = fields

    @extend_schema_field(FileVersionSerializer(many=True))
    def get_versions(self, resource: Resource) -> list[dict[str, Any]]:
        rows = self.context.get("versions")
        if rows is None:
            return []
        return FileVersionSerializer(rows, many=True, context=self.context).data


def _codes(help_text: str, max_length: int = 64) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.CharField(max_length=max_length),
        required=False,
        max_length=LINKED_MAX,
        help_text=help_text,
    )


class ResourceFieldsSerializer(serializers.Serializer):
    """The fields a person fills in, for sharing and for editing."""

    title = serializers.CharField(max_length=TITLE_MAX, required=False, allow_blank=True)
    description = serializers.CharField(
        max_length=DESCRIPTION_MAX,
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="Markdown (sanitised like posts).",
    )
    url = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        help_text="Links only: an http:// or https:// address.",
    )
    body = serializers.CharField(
        max_length=NOTE_MAX,
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="Notes only: the note's text, in Markdown.",
    )
    competencies = _codes("Competency codes of the cohort's framework, e.g. PAR-1.", 32)
    areas = _codes("Credential area slugs of the cohort's framework.")
    tags = serializers.ListField(
        child=serializers.CharField(max_length=TAG_MAX),
        required=False,
        max_length=TAGS_PER_RESOURCE,
        help_text=f"Free tags (at most {TAGS_PER_RESOURCE}); existing ones are reused.",
    )
    licence = serializers.ChoiceField(
        choices=Resource.Licence.choices, required=False, allow_blank=True
    )
    scope = serializers.ChoiceField(
        choices=Resource.Scope.choices,
        required=False,
        help_text="Who may read it: the cohort (default), everyone signed in, or anyone.",
    )
    source = serializers.CharField(
        max_length=SOURCE_MAX,
        required=False,
        allow_blank=True,
        help_text="Source or attribution.",
    )


class ResourceCreateSerializer(ResourceFieldsSerializer):
    """Share a resource into a cohort: JSON for links and notes; multipart/form-data with
    ``file`` (and optional ``version_note``) for files."""

    cohort = serializers.SlugField(max_length=64, help_text="The cohort's slug.")
    kind = serializers.ChoiceField(choices=Resource.Kind.choices)
    title = serializers.CharField(max_length=TITLE_MAX)
    file = serializers.FileField(
        required=False,
        allow_empty_file=True,
        use_url=False,
        help_text="Files only (multipart/form-data): PDF, Word, PowerPoint, Excel, "
        "OpenDocument text, images, plain text, Markdown or CSV.",
    )
    version_note = serializers.CharField(
        max_length=VERSION_NOTE_MAX, required=False, allow_blank=True
    )


class ResourceEditSerializer(ResourceFieldsSerializer):
    """Edit a resource: any of its fields (those left out keep their value), and the
    ``version`` the edit started from."""

    version = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, help_text="The version the edit started from."
    )


class UsefulInputSerializer(serializers.Serializer):
    note = serializers.CharField(
        max_length=USEFUL_NOTE_MAX,
        required=False,
        allow_blank=True,
        help_text="Optional: how you used it.",
    )


class UsefulSerializer(serializers.Serializer):
    """The caller's mark and the resource's count after the change."""

    marked = serializers.BooleanField()
    note = serializers.CharField(allow_blank=True)
    useful_count = serializers.IntegerField()
