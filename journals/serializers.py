"""What the journal's REST API reads and answers (journals/api.py).

Input serializers only bound sizes and shapes; the rules (what a cohort, session, goal or
prompt may be, which competencies and framing questions exist, every competency rated on
the framework's levels...) are the services', so the API refuses exactly what the pages
refuse, with the same messages and codes.
"""

from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch, reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cohorts.api import PersonSerializer
from core.models import ID_MAX
from journals.models import (
    ANNOTATION_MAX,
    BODY_MAX,
    MAPPING_NOTE_MAX,
    RATING_NOTE_MAX,
    TITLE_MAX,
    Entry,
    Evidence,
    SelfAssessment,
)

# More competencies or framing questions than any framework has is a mistake; the
# services hold the real limits (and say so).
LINKED_MAX = 50
CODE_MAX = 32
SLUG_MAX = 64


def absolute(context: dict[str, Any], path: str) -> str:
    request = context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


def entry_path(entry_id: int) -> str:
    try:
        return reverse("journals:entry", args=[entry_id])
    except NoReverseMatch:
        # The entry page belongs to the editor's URLs; its address is fixed by the
        # journal's URL contract, so links stay right even where those are not mounted.
        return f"/journal/entries/{entry_id}/"


# --- entries -------------------------------------------------------------------------------


class MappingSerializer(serializers.Serializer):
    """An entry mapped to a competency, with how the entry shows it."""

    code = serializers.CharField(help_text="The competency's code, e.g. PAR-1.")
    title = serializers.CharField()
    note = serializers.CharField(allow_blank=True)


class EvidenceViewSerializer(serializers.Serializer):
    """A piece of evidence as the caller may see it (``journals.selectors.evidence``). An
    item the caller may no longer see (a hidden post, a withdrawn resource) has
    ``available`` false, no ``url`` and no target details; its annotation is kept."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Evidence.Kind.choices)
    available = serializers.BooleanField()
    title = serializers.CharField(allow_blank=True)
    url = serializers.CharField(allow_null=True)
    detail = serializers.CharField(allow_blank=True)
    annotation = serializers.CharField(allow_blank=True)
    competency = serializers.CharField(
        allow_null=True, help_text="The code of the competency it supports."
    )

    def to_representation(self, item: Any) -> dict[str, Any]:
        competency = getattr(item, "competency", None)
        if competency is not None and not isinstance(competency, str):
            competency = getattr(competency, "code", None) or str(competency)
        kind = getattr(item, "kind", "")
        url = getattr(item, "url", None) or None
        return {
            "id": int(item.id),
            "kind": str(getattr(kind, "value", kind)),
            "available": bool(getattr(item, "available", True)),
            "title": str(getattr(item, "title", "") or ""),
            "url": absolute(self.context, url) if url and url.startswith("/") else url,
            "detail": str(getattr(item, "detail", "") or ""),
            "annotation": str(getattr(item, "annotation", "") or ""),
            "competency": competency or None,
        }


class EntrySerializer(serializers.Serializer):
    """An entry. ``cohort`` is the slug of the cohort it is tied to (and shared with);
    ``session``, ``goal`` and ``prompt`` are ids. ``version`` goes back with an edit."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    written_on = serializers.DateField()
    body = serializers.CharField(allow_blank=True, help_text="Markdown.")
    body_html = serializers.CharField(allow_blank=True, help_text="The body, sanitised HTML.")
    status = serializers.ChoiceField(choices=Entry.Status.choices)
    visibility = serializers.ChoiceField(choices=Entry.Visibility.choices)
    cohort = serializers.CharField(
        source="cohort.slug", allow_null=True, help_text="The slug of the cohort it is tied to."
    )
    session = serializers.IntegerField(source="session_id", allow_null=True)
    goal = serializers.IntegerField(source="goal_id", allow_null=True)
    prompt = serializers.IntegerField(source="prompt_id", allow_null=True)
    competencies = serializers.SerializerMethodField()
    framing_questions = serializers.SerializerMethodField()
    evidence_count = serializers.SerializerMethodField()
    author = serializers.SerializerMethodField()
    version = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    html_url = serializers.SerializerMethodField()

    @extend_schema_field(MappingSerializer(many=True))
    def get_competencies(self, entry: Entry) -> list[dict[str, Any]]:
        return [
            {"code": m.competency.code, "title": m.competency.title, "note": m.note}
            for m in entry.mappings.all()
        ]

    def get_framing_questions(self, entry: Entry) -> list[str]:
        return [q.slug for q in entry.framing_questions.all()]

    def get_evidence_count(self, entry: Entry) -> int:
        count = getattr(entry, "evidence_total", None)
        if count is None:
            count = len(self.context.get("evidence", []))
        return int(count)

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_author(self, entry: Entry) -> dict[str, Any] | None:
        user = entry.author
        return None if user is None else {"id": user.pk, "name": user.display_name}

    def get_html_url(self, entry: Entry) -> str:
        return absolute(self.context, entry_path(entry.pk))


class EntryDetailSerializer(EntrySerializer):
    """One entry, with the evidence it cites as the caller may see it (in the author's
    order). ``evidence_count`` counts what is listed."""

    evidence = serializers.SerializerMethodField()

    @extend_schema_field(EvidenceViewSerializer(many=True))
    def get_evidence(self, entry: Entry) -> list[dict[str, Any]]:
        items = self.context.get("evidence", [])
        return [EvidenceViewSerializer(item, context=self.context).data for item in items]


class MappingInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=CODE_MAX, help_text="A competency code.")
    note = serializers.CharField(
        max_length=MAPPING_NOTE_MAX,
        required=False,
        allow_blank=True,
        help_text="How the entry shows it (optional).",
    )


def _id_field(help_text: str) -> serializers.IntegerField:
    return serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=ID_MAX, help_text=help_text
    )


class EntryFieldsSerializer(serializers.Serializer):
    """What the author writes."""

    title = serializers.CharField(max_length=TITLE_MAX, required=False, allow_blank=True)
    written_on = serializers.DateField(required=False, help_text="Defaults to today.")
    body = serializers.CharField(
        max_length=BODY_MAX,
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="Markdown (sanitised like posts).",
    )
    status = serializers.ChoiceField(choices=Entry.Status.choices, required=False)
    cohort = serializers.CharField(
        max_length=SLUG_MAX,
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="The slug of a cohort you belong to (null or empty: none).",
    )
    session = _id_field("A session of that cohort (null: none).")
    goal = _id_field("A learning goal of that cohort (null: none).")
    prompt = _id_field("The reflection prompt the entry answers (null: none).")
    competencies = serializers.ListField(
        child=MappingInputSerializer(),
        required=False,
        max_length=LINKED_MAX,
        help_text="The competencies it shows, each with an optional note (replaces them all).",
    )
    framing_questions = serializers.ListField(
        child=serializers.CharField(max_length=SLUG_MAX),
        required=False,
        max_length=LINKED_MAX,
        help_text="Slugs of the framing questions it speaks to (replaces them all).",
    )


class EntryCreateSerializer(EntryFieldsSerializer):
    title = serializers.CharField(max_length=TITLE_MAX)
    visibility = serializers.ChoiceField(
        choices=Entry.Visibility.choices,
        required=False,
        help_text="Who may read it: private (the default), the cohort's facilitators, or the "
        "cohort. Sharing needs a cohort.",
    )


class EntryEditSerializer(EntryFieldsSerializer):
    """An edit: fields left out keep their value. ``visibility`` changes only when sent."""

    version = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, help_text="The version the edit started from."
    )
    visibility = serializers.ChoiceField(choices=Entry.Visibility.choices, required=False)


class EvidenceCreateSerializer(serializers.Serializer):
    """Cite something on an entry: ``target`` is the id of the resource, post, session,
    goal or training completion; ``version`` a resource's file version number; ``url`` a
    link; ``file`` an upload (multipart/form-data)."""

    kind = serializers.ChoiceField(choices=Evidence.Kind.choices)
    target = _id_field("What is cited (for resource, post, session, goal and training).")
    version = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=2**31 - 1
    )
    url = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    label = serializers.CharField(max_length=TITLE_MAX, required=False, allow_blank=True)
    annotation = serializers.CharField(
        max_length=ANNOTATION_MAX, required=False, allow_blank=True, help_text="What it shows."
    )
    competency = serializers.CharField(
        max_length=CODE_MAX,
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="The code of the competency it supports.",
    )
    file = serializers.FileField(
        required=False, allow_empty_file=True, use_url=False, help_text="For kind file only."
    )


# --- coverage --------------------------------------------------------------------------------


class SelfRatingBriefSerializer(serializers.Serializer):
    level = serializers.IntegerField(help_text="An index into the framework's levels.")
    name = serializers.CharField()
    taken_at = serializers.DateTimeField()


class CoverageCellSerializer(serializers.Serializer):
    """One key competency: what covers it, and its strength (none, thin, some, strong)."""

    code = serializers.CharField()
    title = serializers.CharField()
    strength = serializers.ChoiceField(choices=["strong", "some", "thin", "none"])
    summary = serializers.CharField(help_text='The strength in words, e.g. "Thin — 1 entry".')
    entries = serializers.IntegerField(help_text="Your entries mapped to it (drafts included).")
    drafts = serializers.IntegerField(help_text="How many of those entries are drafts.")
    evidence = serializers.IntegerField(help_text="Pieces of evidence said to support it.")
    latest = serializers.DateField(allow_null=True)
    framing_questions = serializers.ListField(child=serializers.CharField())
    self_rating = SelfRatingBriefSerializer(allow_null=True)
    html_url = serializers.CharField()


class StrengthCountsSerializer(serializers.Serializer):
    strong = serializers.IntegerField()
    some = serializers.IntegerField()
    thin = serializers.IntegerField()
    none = serializers.IntegerField()


class AreaCoverageSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    counts = StrengthCountsSerializer()
    competencies = CoverageCellSerializer(many=True)


class CoverageSerializer(serializers.Serializer):
    levels = serializers.ListField(child=serializers.CharField())
    areas = AreaCoverageSerializer(many=True)


# --- self-assessments ------------------------------------------------------------------------


class RatingSerializer(serializers.Serializer):
    competency = serializers.CharField(help_text="The competency's code.")
    title = serializers.CharField()
    level = serializers.IntegerField(help_text="An index into the framework's levels.")
    level_name = serializers.CharField()
    note = serializers.CharField(allow_blank=True)


class RatingChangeSerializer(RatingSerializer):
    previous_level = serializers.IntegerField(allow_null=True)
    change = serializers.IntegerField(
        allow_null=True, help_text="Levels up (positive) or down since the sitting before."
    )


class AssessmentSerializer(serializers.Serializer):
    """One sitting of a self-assessment: its own dated record."""

    id = serializers.IntegerField()
    area = serializers.CharField(source="area.slug", help_text="The credential area's slug.")
    area_name = serializers.CharField(source="area.name")
    taken_at = serializers.DateTimeField()
    note = serializers.CharField(allow_blank=True)
    levels = serializers.SerializerMethodField()
    ratings = serializers.SerializerMethodField()
    html_url = serializers.SerializerMethodField()

    def get_levels(self, assessment: SelfAssessment) -> list[str]:
        return [str(level) for level in (assessment.area.framework.levels or [])]

    @extend_schema_field(RatingSerializer(many=True))
    def get_ratings(self, assessment: SelfAssessment) -> list[dict[str, Any]]:
        levels = self.get_levels(assessment)
        return [
            {
                "competency": r.competency.code,
                "title": r.competency.title,
                "level": r.level,
                "level_name": levels[r.level] if 0 <= r.level < len(levels) else "",
                "note": r.note,
            }
            for r in assessment.ratings.all()
        ]

    def get_html_url(self, assessment: SelfAssessment) -> str:
        return absolute(self.context, assessment.get_absolute_url())


class AssessmentDetailSerializer(AssessmentSerializer):
    """One sitting with the change since the sitting before of the same area."""

    previous = serializers.SerializerMethodField()
    ratings = serializers.SerializerMethodField()

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_previous(self, assessment: SelfAssessment) -> int | None:
        detail = self.context["detail"]
        return detail.previous.pk if detail.previous is not None else None

    @extend_schema_field(RatingChangeSerializer(many=True))
    def get_ratings(self, assessment: SelfAssessment) -> list[dict[str, Any]]:
        detail = self.context["detail"]
        return [
            {
                "competency": row.competency.code,
                "title": row.competency.title,
                "level": row.level,
                "level_name": row.name,
                "note": row.note,
                "previous_level": row.previous,
                "change": row.change,
            }
            for row in detail.rows
            if row.level is not None
        ]


class RatingInputSerializer(serializers.Serializer):
    competency = serializers.CharField(max_length=CODE_MAX, help_text="A competency code.")
    level = serializers.IntegerField(
        min_value=0, max_value=1000, help_text="An index into the framework's levels."
    )
    note = serializers.CharField(max_length=RATING_NOTE_MAX, required=False, allow_blank=True)


class AssessmentCreateSerializer(serializers.Serializer):
    """Rate every key competency of a credential area (a new, dated sitting)."""

    area = serializers.CharField(max_length=SLUG_MAX, help_text="The credential area's slug.")
    ratings = serializers.ListField(child=RatingInputSerializer(), max_length=LINKED_MAX * 2)
    note = serializers.CharField(max_length=RATING_NOTE_MAX, required=False, allow_blank=True)
