"""The journal over the REST API, with the same permission answers as the pages:

- ``GET/POST /api/v1/journal/entries/``: the caller's own entries (newest first) with the
  journal home's filters; POST writes one (private unless ``visibility`` says otherwise).
- ``GET/PATCH/DELETE /api/v1/journal/entries/{id}/``: an entry the caller may read (its
  author, and those it was shared with: ``permissions.access_entry``); PATCH and DELETE
  are its author's. Anything else is the same 404 as an entry that does not exist. PATCH
  carries the ``version`` it started from: a stale one answers 409 with the entry as it
  stands under ``current``, and nothing is overwritten.
- ``POST /api/v1/journal/entries/{id}/evidence/``: cite something on one's own entry.
- ``GET /api/v1/journal/coverage/``: the caller's coverage, the numbers of the coverage
  page (``journals.selectors.coverage``).
- ``GET/POST /api/v1/journal/self-assessments/`` and ``GET .../{id}/``: the caller's own
  sittings only (404 for anyone else's, staff and admins included).

Writes go through ``journals.services``; a refusal (a ``JournalError``, or the upload
module's ``FileError``) propagates to ``core.api.exception_handler``, which answers JSON
``detail`` and ``code`` with the status ``core.errors.status_for`` gives. Writes are
rate-limited by the API's per-user throttle, as every write of the API is.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from cohorts.models import Cohort, LearningGoal, Session
from competencies.models import Area
from core.api import ErrorSerializer, service_error_body
from core.errors import status_for
from journals import permissions
from journals.models import Entry, EntryCompetency, Evidence, Prompt
from journals.selectors import assessments as assessment_selectors
from journals.selectors import coverage as coverage_selectors
from journals.selectors.evidence import evidence_for
from journals.serializers import (
    AssessmentCreateSerializer,
    AssessmentDetailSerializer,
    AssessmentSerializer,
    CoverageSerializer,
    EntryCreateSerializer,
    EntryDetailSerializer,
    EntryEditSerializer,
    EntrySerializer,
    EvidenceCreateSerializer,
    EvidenceViewSerializer,
    absolute,
)
from journals.services import (
    EntryInput,
    EvidenceInput,
    JournalError,
    RatingInput,
    entry_create,
    entry_delete,
    entry_update,
    evidence_add,
    self_assessment_take,
)
from journals.services.entries import StaleEntry

# --- entries ---------------------------------------------------------------------------------


def with_relations(rows: QuerySet[Entry]) -> QuerySet[Entry]:
    """What a serialized entry reads, in a fixed number of queries for any number of rows:
    its cohort and author joined, its mappings and framing questions prefetched."""
    return rows.select_related("cohort", "author").prefetch_related(
        Prefetch(
            "mappings",
            queryset=EntryCompetency.objects.select_related("competency").order_by(
                "competency__area__order", "competency__order", "pk"
            ),
        ),
        "framing_questions",
    )


def entries_listing(user: Any, params: Any) -> QuerySet[Entry]:
    """The caller's own entries (never deleted ones), newest first, narrowed by the
    journal home's filters: ``competency`` (a code), ``area`` (a credential area slug),
    ``cohort`` (a slug), ``visibility``, ``status``, ``framing_question`` (a slug) of the
    default framework. An unknown value matches nothing."""
    rows = Entry.objects.filter(author=user, deleted_at__isnull=True)
    default = Q(competency__framework__is_default=True)
    if code := params.get("competency"):
        mapped = EntryCompetency.objects.filter(default, competency__code=code)
        rows = rows.filter(pk__in=mapped.values("entry_id"))
    if slug := params.get("area"):
        mapped = EntryCompetency.objects.filter(default, competency__area__slug=slug)
        rows = rows.filter(pk__in=mapped.values("entry_id"))
    if slug := params.get("cohort"):
        rows = rows.filter(cohort__slug=slug)
    if visibility := params.get("visibility"):
        rows = rows.filter(visibility=visibility)
    if state := params.get("status"):
        rows = rows.filter(status=state)
    if slug := params.get("framing_question"):
        through = Entry.framing_questions.through.objects.filter(
            framingquestion__slug=slug, framingquestion__framework__is_default=True
        )
        rows = rows.filter(pk__in=through.values("entry_id"))
    cited = (
        Evidence.objects.filter(entry=OuterRef("pk"))
        .order_by()
        .values("entry")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return with_relations(
        rows.annotate(evidence_total=Coalesce(Subquery(cited), 0)).order_by("-written_on", "-pk")
    )


def _detail(request: Request, entry_id: int, *, status_code: int = 200) -> Response:
    entry = with_relations(Entry.objects.filter(pk=entry_id)).get()
    return Response(_entry_body(request, entry), status=status_code)


def _entry_body(request: Request, entry: Entry) -> dict[str, Any]:
    context = {"request": request, "evidence": list(evidence_for(request.user, entry))}
    return EntryDetailSerializer(entry, context=context).data


def _tie(model: Any, pk: Any, name: str) -> Any:
    """A session, goal or prompt by id. One that does not exist is refused with the
    service's own words for one of a cohort the author is not in, so the two cannot be
    told apart."""
    if pk is None:
        return None
    found = model.objects.select_related("cohort").filter(pk=pk).first()
    if found is None:
        raise JournalError(f"Choose a {name} of a cohort you belong to.", field=name)
    return found


def entry_input(values: dict[str, Any], current: Entry | None = None) -> EntryInput:
    """What the author sent, over what the entry holds now (for an edit)."""
    base: dict[str, Any] = {}
    if current is not None:
        mappings = list(current.mappings.all())
        base = {
            "title": current.title,
            "body": current.body,
            "written_on": current.written_on,
            "status": current.status,
            "cohort": current.cohort,
            "session": current.session,
            "goal": current.goal,
            "prompt": current.prompt,
            "competencies": [m.competency.code for m in mappings],
            "notes": {m.competency.code: m.note for m in mappings},
            "framing_questions": [q.slug for q in current.framing_questions.all()],
        }
    for name in ("title", "body", "written_on", "status"):
        if name in values:
            base[name] = values[name]
    if "cohort" in values:
        slug = values["cohort"]
        cohort = None
        if slug:
            cohort = Cohort.objects.filter(slug=slug).first()
            if cohort is None:
                raise JournalError("Choose a cohort you belong to.", field="cohort")
        base["cohort"] = cohort
    for name, model in (("session", Session), ("goal", LearningGoal), ("prompt", Prompt)):
        if name in values:
            base[name] = _tie(model, values[name], name)
    if "competencies" in values:
        base["competencies"] = [m["code"] for m in values["competencies"]]
        base["notes"] = {m["code"]: m.get("note", "") for m in values["competencies"]}
    if "framing_questions" in values:
        base["framing_questions"] = list(values["framing_questions"])
    return EntryInput(**base)


ENTRY_PARAMETERS = [
    OpenApiParameter("competency", OpenApiTypes.STR, description="A competency code."),
    OpenApiParameter("area", OpenApiTypes.STR, description="A credential area slug."),
    OpenApiParameter("cohort", OpenApiTypes.STR, description="A cohort slug."),
    OpenApiParameter("visibility", OpenApiTypes.STR, enum=Entry.Visibility.values),
    OpenApiParameter("status", OpenApiTypes.STR, enum=Entry.Status.values),
    OpenApiParameter("framing_question", OpenApiTypes.STR, description="A framing question slug."),
]

StaleEntrySerializer = inline_serializer(
    "StaleEntry",
    {
        "detail": serializers.CharField(),
        "code": serializers.CharField(),
        "current": EntryDetailSerializer(),
    },
)


class EntryListView(generics.GenericAPIView):
    """My journal: list my entries (GET) and write one (POST)."""

    serializer_class = EntrySerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self) -> QuerySet[Entry]:
        return entries_listing(self.request.user, self.request.query_params)

    @extend_schema(
        description="Your own entries, newest first, narrowed by the filters. An unknown "
        "filter value matches nothing. Evidence is listed on each entry's own answer.",
        parameters=ENTRY_PARAMETERS,
        responses=EntrySerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        data = EntrySerializer(page, many=True, context={"request": request}).data
        return self.get_paginated_response(data)

    @extend_schema(
        description="Write an entry: private unless `visibility` shares it with a cohort "
        "you belong to (its facilitators, or all its members).",
        request=EntryCreateSerializer,
        responses={201: EntryDetailSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
    )
    def post(self, request: Request) -> Response:
        form = EntryCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        entry = entry_create(
            author=request.user,  # type: ignore[arg-type]
            data=entry_input(data),
            visibility=data.get("visibility", Entry.Visibility.PRIVATE),
        )
        return _detail(request, entry.pk, status_code=status.HTTP_201_CREATED)


class EntryDetailView(generics.GenericAPIView):
    """One entry, with its evidence as the caller may see it. PATCH edits it (its author):
    fields left out keep their value, ``visibility`` changes only when sent, and the
    ``version`` the edit started from must be the current one, else 409 with the entry as
    it stands under ``current``. DELETE deletes it softly (restorable for 30 days)."""

    serializer_class = EntryDetailSerializer
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: EntryDetailSerializer, 404: ErrorSerializer})
    def get(self, request: Request, pk: int) -> Response:
        entry = permissions.access_entry(
            request.user, entry_id=pk, queryset=with_relations(Entry.objects.all())
        )
        return Response(_entry_body(request, entry))

    @extend_schema(
        request=EntryEditSerializer,
        responses={
            200: EntryDetailSerializer,
            400: ErrorSerializer,
            404: ErrorSerializer,
            409: StaleEntrySerializer,
        },
    )
    def patch(self, request: Request, pk: int) -> Response:
        entry = permissions.access_entry(
            request.user, entry_id=pk, need="edit", queryset=with_relations(Entry.objects.all())
        )
        form = EntryEditSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        try:
            entry_update(
                entry=entry,
                by=request.user,  # type: ignore[arg-type]
                data=entry_input(data, current=entry),
                version=data["version"],
                visibility=data.get("visibility"),
            )
        except StaleEntry as stale:
            current = with_relations(Entry.objects.filter(pk=stale.current.pk)).get()
            return Response(
                {**service_error_body(stale), "current": _entry_body(request, current)},
                status=status_for(stale.code),
            )
        return _detail(request, entry.pk)

    @extend_schema(responses={204: None, 404: ErrorSerializer})
    def delete(self, request: Request, pk: int) -> Response:
        entry = permissions.access_entry(request.user, entry_id=pk, need="delete")
        entry_delete(entry=entry, by=request.user)  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)


def _evidence_body(request: Request, entry: Entry, added: Evidence) -> dict[str, Any]:
    """The new item as the entry shows it to its author."""
    context = {"request": request}
    for item in evidence_for(request.user, entry):
        if getattr(item, "id", None) == added.pk:
            return EvidenceViewSerializer(item, context=context).data
    # Not (yet) among what the evidence selector lists: its own fields, as the author
    # wrote them (nothing about the target that the author did not type).
    return EvidenceViewSerializer(
        _Plain(
            id=added.pk,
            kind=added.kind,
            available=True,
            title=added.label or added.get_kind_display(),
            url=added.url or None,
            detail="",
            annotation=added.annotation,
            competency=added.competency.code if added.competency else None,
        ),
        context=context,
    ).data


class _Plain:
    def __init__(self, **fields: Any) -> None:
        self.__dict__.update(fields)


class EntryEvidenceView(generics.GenericAPIView):
    """Cite something on your own entry."""

    serializer_class = EvidenceViewSerializer
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        description="Add a piece of evidence to your own entry, with what it shows and the "
        "competency it supports: a resource (optionally one file version), a post you "
        "wrote, a session you attended, a learning goal, a training you completed, a web "
        "link, or an uploaded file (multipart/form-data with `file`). Only what you may "
        "see can be cited. An upload that is too large (413) or of a type not allowed "
        "(415) is refused and nothing is stored.",
        request={
            "application/json": EvidenceCreateSerializer,
            "multipart/form-data": EvidenceCreateSerializer,
        },
        responses={
            201: EvidenceViewSerializer,
            400: ErrorSerializer,
            404: ErrorSerializer,
            413: ErrorSerializer,
            415: ErrorSerializer,
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        entry = permissions.access_entry(request.user, entry_id=pk, need="edit")
        form = EvidenceCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        added = evidence_add(
            entry=entry,
            by=request.user,  # type: ignore[arg-type]
            data=EvidenceInput(
                kind=data["kind"],
                target=data.get("target"),
                version=data.get("version"),
                url=data.get("url", ""),
                label=data.get("label", ""),
                annotation=data.get("annotation", ""),
                competency=data.get("competency") or None,
            ),
            upload=data.get("file"),
        )
        entry.refresh_from_db()
        return Response(_evidence_body(request, entry, added), status=status.HTTP_201_CREATED)


# --- coverage --------------------------------------------------------------------------------


def _cell_body(request: Request, cell: coverage_selectors.Cell) -> dict[str, Any]:
    from django.urls import reverse

    rating = None
    if cell.rating_level is not None:
        rating = {"level": cell.rating_level, "name": cell.rating_name, "taken_at": cell.rated_at}
    path = reverse("journals:coverage_cell", args=[cell.competency.code])
    return {
        "code": cell.competency.code,
        "title": cell.competency.title,
        "strength": cell.strength,
        "summary": cell.summary,
        "entries": cell.entries,
        "drafts": cell.drafts,
        "evidence": cell.evidence,
        "latest": cell.latest,
        "framing_questions": [q.slug for q in cell.framing_questions],
        "self_rating": rating,
        "html_url": absolute({"request": request}, path),
    }


class CoverageView(generics.GenericAPIView):
    """My coverage of the framework: the numbers of the coverage page."""

    serializer_class = CoverageSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = None

    @extend_schema(
        description="For each credential area of the default framework (or only `area`), "
        "each key competency with your entries and evidence for it, the latest date, the "
        "framing questions they touch, your latest self-rating and the strength: `none` "
        "(nothing), `thin` (one item, or nothing in the last year), `strong` (4 or more "
        "items with evidence among them, touching 2 or more framing questions) or `some`.",
        parameters=[
            OpenApiParameter(
                "area", OpenApiTypes.STR, description="A credential area slug (default: all)."
            )
        ],
        responses={200: CoverageSerializer, 400: ErrorSerializer},
    )
    def get(self, request: Request) -> Response:
        slug = request.query_params.get("area", "")
        if slug:
            area = assessment_selectors.area_by_slug(slug)
            if area is None:
                raise JournalError("There is no such credential area.", field="area")
            found = [coverage_selectors.coverage_for(request.user, area)]
        else:
            found = coverage_selectors.coverage_all(request.user)
        levels = found[0].levels if found else []
        body = {
            "levels": levels,
            "areas": [
                {
                    "slug": one.area.slug,
                    "name": one.area.name,
                    "counts": one.counts,
                    "competencies": [_cell_body(request, cell) for cell in one.cells],
                }
                for one in found
            ],
        }
        return Response(CoverageSerializer(body).data)


# --- self-assessments ------------------------------------------------------------------------


def _area_of(slug: str) -> Area:
    area = assessment_selectors.area_by_slug(slug)
    if area is None:
        raise JournalError("Choose a credential area of the framework.", field="area")
    return area


class AssessmentListView(generics.GenericAPIView):
    """My self-assessments, latest first (GET), and a new sitting (POST)."""

    serializer_class = AssessmentSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self) -> QuerySet[Any]:
        slug = self.request.query_params.get("area", "")
        rows = assessment_selectors.assessments_listing(self.request.user)
        if slug:
            rows = rows.filter(area__slug=slug, area__framework__is_default=True)
        return rows

    @extend_schema(
        description="Your sittings, latest first, each with its ratings. An unknown "
        "`area` matches nothing.",
        parameters=[OpenApiParameter("area", OpenApiTypes.STR, description="An area slug.")],
        responses=AssessmentSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        data = AssessmentSerializer(page, many=True, context={"request": request}).data
        return self.get_paginated_response(data)

    @extend_schema(
        description="Rate every key competency of a credential area on the framework's "
        "levels (indexes, lowest first), each with an optional note. Each sitting is its "
        "own dated record: earlier ones are kept as they were.",
        request=AssessmentCreateSerializer,
        responses={201: AssessmentDetailSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
    )
    def post(self, request: Request) -> Response:
        form = AssessmentCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        taken = self_assessment_take(
            user=request.user,  # type: ignore[arg-type]
            area=_area_of(data["area"]),
            ratings=[
                RatingInput(competency=r["competency"], level=r["level"], note=r.get("note", ""))
                for r in data["ratings"]
            ],
            note=data.get("note", ""),
        )
        return _assessment_detail(request, taken.pk, status_code=status.HTTP_201_CREATED)


def _assessment_detail(request: Request, pk: int, *, status_code: int = 200) -> Response:
    found = permissions.access_assessment(request.user, assessment_id=pk)
    detail = assessment_selectors.assessment_detail(request.user, found)
    context = {"request": request, "detail": detail}
    return Response(AssessmentDetailSerializer(found, context=context).data, status=status_code)


class AssessmentDetailView(generics.GenericAPIView):
    """One of my sittings, with the change since the sitting before of the same area."""

    serializer_class = AssessmentDetailSerializer
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: AssessmentDetailSerializer, 404: ErrorSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return _assessment_detail(request, pk)
