"""Trainings over the REST API, with the same permission answers as the pages.

- ``GET /api/v1/trainings/``: the public catalog (approved and unexpired), with the
  catalog's filters; ``?mine=1`` a provider's own trainings in any status; ``?queue=1``
  a reviewer's queue (never what they are conflicted on). ``POST`` creates a draft.
- ``GET/PATCH /api/v1/trainings/{id}/``: one training the caller may see (404 otherwise);
  PATCH edits a draft or a training with changes requested (its provider only).
- ``POST /api/v1/trainings/{id}/submit/`` and ``POST /api/v1/trainings/{id}/review/``.
- ``GET/POST /api/v1/me/trainings/completions/``: the caller's completed trainings.

No answer ever names the reviewer who decided.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import ErrorSerializer
from core.errors import ServiceError
from trainings import permissions, selectors, services
from trainings.models import Completion, Judgement, Provider, Review, Training
from trainings.views import filters_from


class RunSerializer(serializers.Serializer):
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()


class ProviderSerializer(serializers.ModelSerializer):
    class Meta:
        model = Provider
        fields = ["id", "name", "website"]
        read_only_fields = fields


class TrainingSerializer(serializers.ModelSerializer):
    provider = ProviderSerializer(read_only=True)
    competencies = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    runs = serializers.SerializerMethodField()
    free = serializers.BooleanField(source="is_free", read_only=True)
    current = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Training
        fields = [
            "id",
            "title",
            "format",
            "description",
            "curriculum",
            "learning_goals",
            "delivery",
            "location",
            "self_paced",
            "runs",
            "duration_hours",
            "free",
            "cost_amount",
            "cost_currency",
            "registration_url",
            "competencies",
            "provider",
            "status",
            "current",
            "reviewed_on",
            "approved_until",
            "renewal_requested_at",
            "url",
        ]
        read_only_fields = fields

    @extend_schema_field(RunSerializer(many=True))
    def get_runs(self, training: Training) -> list[dict[str, Any]]:
        return [
            {"starts_on": r.starts_on.isoformat(), "ends_on": r.ends_on.isoformat()}
            for r in training.runs.all()
        ]

    def get_current(self, training: Training) -> bool:
        return permissions.is_current(training)

    def get_url(self, training: Training) -> str:
        request = self.context.get("request")
        path = training.get_absolute_url()
        return request.build_absolute_uri(path) if request else path


class TrainingWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    format = serializers.ChoiceField(choices=Training.Format.choices, required=False)
    description = serializers.CharField(max_length=10_000, required=False)
    curriculum = serializers.CharField(max_length=10_000, required=False, allow_blank=True)
    learning_goals = serializers.ListField(
        child=serializers.CharField(max_length=500), required=False, max_length=30
    )
    delivery = serializers.ChoiceField(choices=Training.Delivery.choices, required=False)
    location = serializers.CharField(max_length=200, required=False, allow_blank=True)
    self_paced = serializers.BooleanField(required=False)
    runs = RunSerializer(many=True, required=False)
    duration_hours = serializers.CharField(max_length=12, required=False)
    cost_amount = serializers.CharField(max_length=16, required=False, allow_blank=True)
    cost_currency = serializers.CharField(max_length=3, required=False, allow_blank=True)
    registration_url = serializers.CharField(max_length=500, required=False, allow_blank=True)
    competencies = serializers.ListField(child=serializers.CharField(max_length=32), required=False)
    provider = serializers.IntegerField(
        required=False, help_text="Your organisation's id (when you have several)."
    )

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.validated_data)
        data.pop("provider", None)
        if "runs" in data:
            data["runs"] = [(r["starts_on"], r["ends_on"]) for r in data["runs"]]
        if "competencies" in data:
            data["competency_codes"] = data.pop("competencies")
        return data


def _listing(qs: QuerySet[Training]) -> QuerySet[Training]:
    return qs.select_related("provider").prefetch_related("competencies", "runs")


LIST_PARAMETERS = [
    OpenApiParameter("competency", OpenApiTypes.STR, description="A competency code."),
    OpenApiParameter("area", OpenApiTypes.STR, description="A credential area's slug."),
    OpenApiParameter("format", OpenApiTypes.STR, enum=Training.Format.values),
    OpenApiParameter("delivery", OpenApiTypes.STR, enum=Training.Delivery.values),
    OpenApiParameter("free", OpenApiTypes.STR, enum=["1"], description="Free ones only."),
    OpenApiParameter("upcoming", OpenApiTypes.STR, enum=["1"], description="With dates ahead."),
    OpenApiParameter(
        "mine", OpenApiTypes.STR, enum=["1"], description="A provider's own, in any status."
    ),
    OpenApiParameter(
        "queue", OpenApiTypes.STR, enum=["1"], description="A reviewer's queue, oldest first."
    ),
]


class FormatIsAFilter(DefaultContentNegotiation):
    """``?format=`` filters the catalog by a training's format here (CONTRACT.md), so it
    must not pick DRF's renderer: the answer is always JSON."""

    def select_renderer(
        self, request: Any, renderers: Any, format_suffix: str | None = None
    ) -> Any:
        return super().select_renderer(request, renderers, format_suffix="json")


class TrainingListView(generics.ListCreateAPIView):
    """The approved-trainings catalog (public), a provider's own (``?mine=1``) or a
    reviewer's queue (``?queue=1``); POST creates a draft for the caller's organisation."""

    serializer_class = TrainingSerializer
    content_negotiation_class = FormatIsAFilter

    def get_permissions(self) -> list[Any]:
        if self.request.method == "POST":
            return [IsAuthenticated()]
        return []

    def get_queryset(self) -> QuerySet[Training]:
        params = self.request.query_params
        user = self.request.user
        if params.get("mine") == "1":
            return _listing(selectors.trainings_of_provider(user))
        if params.get("queue") == "1":
            return _listing(permissions.review_queue_for(user).order_by("submitted_at", "pk"))
        return _listing(selectors.catalog(filters_from(params)))

    @extend_schema(parameters=LIST_PARAMETERS)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=TrainingWriteSerializer,
        responses={201: TrainingSerializer, 403: ErrorSerializer, 404: ErrorSerializer},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = TrainingWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        orgs = Provider.objects.filter(users=request.user)
        wanted = body.validated_data.get("provider")
        org = orgs.filter(pk=wanted).first() if wanted else orgs.first()
        if org is None:
            raise ServiceError(
                "Register your organisation as a training provider first.", code="forbidden"
            )
        training = services.training_create(
            by=request.user,  # type: ignore[arg-type]
            provider=org,
            **body.service_fields(),
        )
        data = TrainingSerializer(
            _listing(Training.objects.filter(pk=training.pk)).get(), context={"request": request}
        ).data
        return Response(data, status=status.HTTP_201_CREATED)


class TrainingDetailView(APIView):
    """One training the caller may see: public when approved and unexpired; its provider
    and reviewers without a conflict see it in any other status. PATCH edits a draft."""

    def get_permissions(self) -> list[Any]:
        return [IsAuthenticated()] if self.request.method == "PATCH" else []

    def _one(self, request: Request, pk: int) -> dict[str, Any]:
        training = _listing(Training.objects.filter(pk=pk)).get()
        return TrainingSerializer(training, context={"request": request}).data

    @extend_schema(responses=TrainingSerializer)
    def get(self, request: Request, pk: int) -> Response:
        permissions.access_training(request.user, id=pk)
        return Response(self._one(request, pk))

    @extend_schema(
        request=TrainingWriteSerializer,
        responses={200: TrainingSerializer, 409: ErrorSerializer},
    )
    def patch(self, request: Request, pk: int) -> Response:
        training = permissions.access_training(request.user, id=pk, need="manage")
        body = TrainingWriteSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        services.training_update(
            by=request.user,  # type: ignore[arg-type]
            training=training,
            **body.service_fields(),
        )
        return Response(self._one(request, pk))


class TrainingSubmitView(APIView):
    """Put a draft (or a revised training) in the board's queue."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: TrainingSerializer, 409: ErrorSerializer})
    def post(self, request: Request, pk: int) -> Response:
        training = permissions.access_training(request.user, id=pk, need="manage")
        services.training_submit(by=request.user, training=training)  # type: ignore[arg-type]
        training = _listing(Training.objects.filter(pk=pk)).get()
        return Response(TrainingSerializer(training, context={"request": request}).data)


class JudgementSerializer(serializers.Serializer):
    judgement = serializers.ChoiceField(choices=Judgement.choices)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class ReviewWriteSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Review.Decision.choices)
    guided_instruction = JudgementSerializer()
    curriculum = JudgementSerializer()
    learning_goals = JudgementSerializer()
    message = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    approved_until = serializers.DateField(required=False, allow_null=True)
    competencies = serializers.ListField(
        child=serializers.CharField(max_length=32),
        required=False,
        help_text="The competencies addressed (codes); omitted: keep the provider's.",
    )


class ReviewSerializer(serializers.ModelSerializer):
    class Meta:
        model = Review
        fields = ["id", "decision", "approved_until", "competency_codes", "created_at"]
        read_only_fields = fields


class TrainingReviewView(APIView):
    """A reviewer's decision (reviewers without a conflict only; everyone else 404)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=ReviewWriteSerializer, responses={201: ReviewSerializer, 400: ErrorSerializer}
    )
    def post(self, request: Request, pk: int) -> Response:
        training = permissions.access_training(request.user, id=pk, need="review")
        body = ReviewWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        review = services.training_review(
            reviewer=request.user,  # type: ignore[arg-type]
            training=training,
            decision=data["decision"],
            judgements={
                name: (data[name]["judgement"], data[name].get("note", ""))
                for name in ("guided_instruction", "curriculum", "learning_goals")
            },
            message=data.get("message", ""),
            approved_until=data.get("approved_until"),
            competency_codes=data.get("competencies"),
        )
        return Response(ReviewSerializer(review).data, status=status.HTTP_201_CREATED)


class CompletionSerializer(serializers.ModelSerializer):
    training = serializers.PrimaryKeyRelatedField(read_only=True)
    training_title = serializers.CharField(source="training.title", read_only=True)
    competencies = serializers.SerializerMethodField()
    verified = serializers.SerializerMethodField()
    certificate_url = serializers.SerializerMethodField()

    class Meta:
        model = Completion
        fields = [
            "id",
            "training",
            "training_title",
            "completed_on",
            "hours",
            "competencies",
            "verified",
            "certificate_url",
        ]
        read_only_fields = fields

    def get_competencies(self, completion: Completion) -> list[str]:
        return [c.code for c in completion.training.competencies.all()]

    def get_verified(self, completion: Completion) -> bool:
        return completion.verified_at is not None

    def get_certificate_url(self, completion: Completion) -> str | None:
        if completion.certificate_id is None:
            return None
        from django.urls import reverse

        return reverse("files:download", args=[completion.certificate_id])


class CompletionWriteSerializer(serializers.Serializer):
    training = serializers.IntegerField()
    completed_on = serializers.DateField()
    hours = serializers.CharField(max_length=12)
    certificate = serializers.FileField(required=False)


class MyCompletionsView(generics.ListCreateAPIView):
    """The trainings the caller completed (their professional development list); POST
    records one (JSON, or multipart with a ``certificate`` file)."""

    permission_classes = [IsAuthenticated]
    serializer_class = CompletionSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[Completion]:
        return selectors.completions_of(self.request.user)

    @extend_schema(
        request={
            "application/json": CompletionWriteSerializer,
            "multipart/form-data": CompletionWriteSerializer,
        },
        responses={201: CompletionSerializer, 404: ErrorSerializer, 409: ErrorSerializer},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = CompletionWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        training = permissions.access_training(request.user, id=data["training"], need="complete")
        completion = services.completion_record(
            user=request.user,  # type: ignore[arg-type]
            training=training,
            completed_on=data["completed_on"],
            hours=data["hours"],
            certificate=data.get("certificate"),
        )
        completion = selectors.completions_of(request.user).get(pk=completion.pk)
        return Response(CompletionSerializer(completion).data, status=status.HTTP_201_CREATED)
