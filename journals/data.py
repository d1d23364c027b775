"""What the journals app holds about a person, for "My data" and account deletion.

Entries (with their evidence and uploaded files) and self-assessments are private and go
with the account; prompts a facilitator posted and feedback they gave on others' entries
stay, shown as written by a former member."""

from __future__ import annotations

from typing import Any

from core.data import DELETED, FORMER_MEMBER, KEPT, AddFile, DataLine, DataSource
from journals.models import Comment, Entry, Evidence, Prompt, SelfAssessment


def _evidence(item: Evidence, add_file: AddFile) -> dict[str, Any]:
    return {
        "kind": item.kind,
        "label": item.label,
        "annotation": item.annotation,
        "competency": item.competency.code if item.competency else None,
        "resource_id": item.resource_id,
        "post_id": item.post_id,
        "session_id": item.session_id,
        "goal_id": item.goal_id,
        "completion_id": item.completion_id,
        "url": item.url,
        "file": add_file(item.file, f"evidence/{item.file.original_name}") if item.file else None,
    }


def collect(user: Any, add_file: AddFile) -> dict[str, Any]:
    entries = (
        Entry.objects.filter(author=user)
        .select_related("cohort", "prompt")
        .prefetch_related(
            "mappings__competency",
            "framing_questions",
            "evidence__file",
            "evidence__competency",
            "comments__author",
        )
        .order_by("written_on", "pk")
    )
    out_entries = []
    for entry in entries.iterator(chunk_size=100):
        out_entries.append(
            {
                "id": entry.pk,
                "title": entry.title,
                "written_on": entry.written_on,
                "body": entry.body,
                "visibility": entry.visibility,
                "status": entry.status,
                "cohort": entry.cohort.slug if entry.cohort else None,
                "prompt": entry.prompt.title if entry.prompt else None,
                "competencies": [
                    {"code": m.competency.code, "note": m.note} for m in entry.mappings.all()
                ],
                "framing_questions": [str(q) for q in entry.framing_questions.all()],
                "evidence": [_evidence(item, add_file) for item in entry.evidence.all()],
                "feedback": [
                    {
                        "by": c.author.display_name if c.author else FORMER_MEMBER,
                        "mine": c.author_id == user.pk,
                        "body": c.body,
                        "created_at": c.created_at,
                    }
                    for c in entry.comments.all()
                ],
                "created_at": entry.created_at,
                "updated_at": entry.updated_at,
                "deleted_at": entry.deleted_at,
            }
        )
    assessments = []
    for sitting in (
        SelfAssessment.objects.filter(user=user)
        .select_related("area")
        .prefetch_related("ratings__competency")
        .order_by("taken_at", "pk")
    ):
        assessments.append(
            {
                "id": sitting.pk,
                "area": sitting.area.slug,
                "taken_at": sitting.taken_at,
                "note": sitting.note,
                "ratings": [
                    {"competency": r.competency.code, "level": r.level, "note": r.note}
                    for r in sitting.ratings.all()
                ],
            }
        )
    return {
        "entries": out_entries,
        "self_assessments": assessments,
        "feedback_given": list(
            Comment.objects.filter(author=user)
            .exclude(entry__author=user)
            .order_by("pk")
            .values("entry_id", "body", "created_at")
        ),
        "prompts_posted": list(
            Prompt.objects.filter(author=user)
            .order_by("pk")
            .values("id", "cohort__slug", "title", "body", "due_on", "created_at")
        ),
    }


def summarize(user: Any) -> list[DataLine]:
    return [
        DataLine(
            "Journal entries, with their evidence and the feedback on them",
            Entry.objects.filter(author=user).count(),
            DELETED,
        ),
        DataLine(
            "Files you attached to entries",
            Evidence.objects.filter(entry__author=user, file__isnull=False).count(),
            DELETED,
        ),
        DataLine("Self-assessments", SelfAssessment.objects.filter(user=user).count(), DELETED),
        DataLine(
            "Feedback you gave on other people's entries (it stays, by “a former member”)",
            Comment.objects.filter(author=user).exclude(entry__author=user).count(),
            KEPT,
        ),
        DataLine(
            "Reflection prompts you posted (they stay with the cohort)",
            Prompt.objects.filter(author=user).count(),
            KEPT,
        ),
    ]


def erase(user: Any) -> list[Any]:
    return list(
        Evidence.objects.filter(entry__author=user, file__isnull=False).values_list(
            "file_id", flat=True
        )
    )


SOURCE = DataSource("journals", "Journal", collect, summarize, erase)
