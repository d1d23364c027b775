"""Cohorts over the REST API, with the same permission answers as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cohorts import permissions, selectors, services
from cohorts.models import Cohort, Membership, Session
from core.api import ErrorSerializer


def _listing(qs: QuerySet[Cohort]) -> QuerySet[Cohort]:
    """What a serialized cohort needs, in a fixed number of queries."""
    return (
        selectors.with_counts(qs)
        .select_related("enrollment_period")
        .prefetch_related(
            "focus_areas",
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(
                    role=Membership.Role.FACILITATOR, status=Membership.Status.ACTIVE
                ).select_related("user"),
                to_attr="active_facilitators",
            ),
        )
        .order_by("term_start", "title", "pk")
    )


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CohortSerializer(serializers.ModelSerializer):
    places_left = serializers.SerializerMethodField()
    enrollment_period = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )
    focus_areas = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    facilitators = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Cohort
        fields = [
            "slug",
            "title",
            "description",
            "state",
            "join_policy",
            "listed",
            "capacity",
            "places_left",
            "term_start",
            "term_end",
            "cadence",
            "time_zone",
            "enrollment_period",
            "focus_areas",
            "facilitators",
            "url",
        ]
        read_only_fields = fields

    def get_places_left(self, cohort: Cohort) -> int:
        return max(0, cohort.capacity - getattr(cohort, "seated_members", 0))

    @extend_schema(responses=PersonSerializer(many=True))
    def get_facilitators(self, cohort: Cohort) -> list[dict[str, Any]]:
        return [
            {"id": m.user.pk, "name": m.user.display_name}
            for m in getattr(cohort, "active_facilitators", [])
        ]

    def get_url(self, cohort: Cohort) -> str:
        request = self.context.get("request")
        path = cohort.get_absolute_url()
        return request.build_absolute_uri(path) if request else path


class MembershipSerializer(serializers.ModelSerializer):
    cohort = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Membership
        fields = ["cohort", "status", "role"]
        read_only_fields = fields


class JoinSerializer(serializers.Serializer):
    message = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class SessionSerializer(serializers.ModelSerializer):
    starts_at = serializers.DateTimeField(default_timezone=dt.UTC)
    ends_at = serializers.DateTimeField(default_timezone=dt.UTC)
    cancelled = serializers.SerializerMethodField()

    class Meta:
        model = Session
        fields = [
            "id",
            "title",
            "starts_at",
            "ends_at",
            "time_zone",
            "video_url",
            "place",
            "agenda",
            "prework",
            "materials",
            "cancelled",
        ]
        read_only_fields = fields

    def get_cancelled(self, session: Session) -> bool:
        return session.cancelled_at is not None


class CohortListView(generics.ListAPIView):
    """Cohorts the caller may see: public ones (listed and approved, active or concluded)
    for everyone, plus the caller's own. Anonymous callers see the public ones."""

    serializer_class = CohortSerializer
    permission_classes = [AllowAny]

    def get_queryset(self) -> QuerySet[Cohort]:
        return _listing(permissions.cohorts_visible_to(self.request.user))


class CohortDetailView(APIView):
    """One cohort; 404 when the caller may not see it (as if it did not exist)."""

    permission_classes = [AllowAny]

    @extend_schema(responses=CohortSerializer)
    def get(self, request: Request, slug: str) -> Response:
        cohort = permissions.access_cohort(
            request.user, slug=slug, queryset=_listing(Cohort.objects.all())
        )
        return Response(CohortSerializer(cohort, context={"request": request}).data)


class CohortJoinView(APIView):
    """Join an open cohort (201, status ``active``, or ``waitlisted`` when full), or ask to
    join one by request (201, status ``requested``). Asking again while a request or a
    waitlist place is pending answers 200 with it. Refusals answer JSON ``detail`` and
    ``code``: 403 ``forbidden`` (by invitation only, or removed), 409 ``conflict`` (already
    a member), 400 (not taking members)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=JoinSerializer,
        responses={
            201: MembershipSerializer,
            200: MembershipSerializer,
            403: ErrorSerializer,
            409: ErrorSerializer,
        },
    )
    def post(self, request: Request, slug: str) -> Response:
        cohort = permissions.access_cohort(request.user, slug=slug)
        body = JoinSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        before = selectors.membership_of(cohort, request.user)
        was_pending = before is not None and before.status in (
            Membership.Status.REQUESTED,
            Membership.Status.WAITLISTED,
        )
        # A refusal (CohortError) answers through core.api.exception_handler.
        membership = services.membership_join(
            cohort=cohort, user=request.user, message=body.validated_data.get("message", "")
        )
        return Response(
            MembershipSerializer(membership).data,
            status=status.HTTP_200_OK if was_pending else status.HTTP_201_CREATED,
        )


class CohortSessionsView(generics.ListAPIView):
    """A cohort's sessions, oldest first, times in UTC (ISO 8601). Members only: 404 for
    anyone else."""

    serializer_class = SessionSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self) -> QuerySet[Session]:
        cohort = permissions.access_cohort(
            self.request.user, slug=self.kwargs["slug"], need="content"
        )
        return selectors.sessions_of(cohort).order_by("starts_at", "pk")
