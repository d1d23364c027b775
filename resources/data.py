"""What the resources app holds about a person, for "My data" and account deletion.

Resources are shared with a cohort or wider: they stay after the account is deleted,
contributed by a former member, with their files. "Useful" marks go with the account."""

from __future__ import annotations

from typing import Any

from core.data import DELETED, KEPT, AddFile, DataLine, DataSource
from resources.models import Collection, FileVersion, Resource, UsefulMark


def collect(user: Any, add_file: AddFile) -> dict[str, Any]:
    resources = []
    for resource in (
        Resource.objects.filter(contributor=user)
        .select_related("cohort")
        .prefetch_related("competencies", "tags")
        .order_by("pk")
    ):
        resources.append(
            {
                "id": resource.pk,
                "kind": resource.kind,
                "cohort": resource.cohort.slug,
                "title": resource.title,
                "description": resource.description,
                "url": resource.url,
                "body": resource.body,
                "scope": resource.scope,
                "licence": resource.licence,
                "source": resource.source,
                "competencies": [c.code for c in resource.competencies.all()],
                "tags": [t.name for t in resource.tags.all()],
                "created_at": resource.created_at,
                "deleted_at": resource.deleted_at,
            }
        )
    versions = []
    for version in (
        FileVersion.objects.filter(uploaded_by=user)
        .select_related("file", "resource")
        .order_by("pk")
        .iterator(chunk_size=200)
    ):
        versions.append(
            {
                "resource_id": version.resource_id,
                "resource_title": version.resource.title,
                "number": version.number,
                "note": version.note,
                "created_at": version.created_at,
                "file": add_file(version.file, f"resources/{version.file.original_name}"),
            }
        )
    return {
        "resources": resources,
        "file_versions": versions,
        "useful_marks": list(
            UsefulMark.objects.filter(user=user)
            .order_by("pk")
            .values("resource_id", "resource__title", "note", "created_at")
        ),
        "collections_created": list(
            Collection.objects.filter(created_by=user)
            .order_by("pk")
            .values("id", "cohort__slug", "title", "description", "created_at")
        ),
    }


def summarize(user: Any) -> list[DataLine]:
    return [
        DataLine(
            "Resources you shared (they stay, contributed by “a former member”)",
            Resource.objects.filter(contributor=user).count(),
            KEPT,
        ),
        DataLine(
            "Collections you curated (they stay with the cohort)",
            Collection.objects.filter(created_by=user).count(),
            KEPT,
        ),
        DataLine(
            "Resources you marked useful, with your notes",
            UsefulMark.objects.filter(user=user).count(),
            DELETED,
        ),
    ]


SOURCE = DataSource("resources", "Resources", collect, summarize)
