"""The shared repertoire over the REST API (CONTRACT.md), with the same permission answers as
the pages: a resource (or cohort) the caller may not read is a 404, whether it exists or
not; one they may read but not change is a 403 (code ``forbidden``). Anonymous callers read
public resources only.

Writes go through ``resources.services``; a refusal (a ``ResourceError``, or the upload
module's ``FileError``) propagates to ``core.api.exception_handler``, which answers JSON
``detail`` and ``code`` with the status ``core.errors.status_for`` gives.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response

from cohorts.permissions import access_cohort
from core.api import ErrorSerializer, service_error_body
from core.errors import ServiceError, status_for
from resources import selectors, services
from resources.models import Resource, Tag, UsefulMark
from resources.permissions import access_resource
from resources.serializers import (
    ResourceCreateSerializer,
    ResourceDetailSerializer,
    ResourceEditSerializer,
    ResourceSerializer,
    UsefulInputSerializer,
    UsefulSerializer,
)
from resources.services import ResourceInput


def with_areas(rows: QuerySet[Resource]) -> QuerySet[Resource]:
    """The listing's rows plus their areas (one more query per page, not per row)."""
    return rows.prefetch_related(Prefetch("areas", to_attr="area_list"))


def detail_rows() -> QuerySet[Resource]:
    """What one serialized resource needs, in a fixed number of queries."""
    return Resource.objects.select_related(
        "cohort", "contributor", "current_version__file"
    ).prefetch_related(
        Prefetch("competencies", to_attr="competency_list"),
        Prefetch("areas", to_attr="area_list"),
        Prefetch("tags", queryset=Tag.objects.order_by("name"), to_attr="tag_list"),
    )


def _detail(request: Request, resource_id: int) -> dict[str, Any]:
    resource = detail_rows().get(pk=resource_id)
    versions = selectors.versions_of(resource) if resource.kind == Resource.Kind.FILE else []
    context = {"request": request, "versions": versions}
    return ResourceDetailSerializer(resource, context=context).data


def _input(values: dict[str, Any], current: Resource | None = None) -> ResourceInput:
    """What the person sent, over what the resource holds now (for an edit)."""
    base: dict[str, Any] = {}
    if current is not None:
        base = {
            "title": current.title,
            "description": current.description,
            "url": current.url,
            "body": current.body,
            "scope": current.scope,
            "licence": current.licence,
            "source": current.source,
            "competencies": [c.code for c in current.competency_list],  # type: ignore[attr-defined]
            "areas": [a.slug for a in current.area_list],  # type: ignore[attr-defined]
            "tags": [t.name for t in current.tag_list],  # type: ignore[attr-defined]
        }
    for name in ResourceInput.__dataclass_fields__:
        if name in values:
            base[name] = values[name]
    return ResourceInput(**base)


LIST_PARAMETERS = [
    OpenApiParameter("q", OpenApiTypes.STR, description="Words to search for (full text)."),
    OpenApiParameter("competency", OpenApiTypes.STR, description="A competency code."),
    OpenApiParameter("area", OpenApiTypes.STR, description="A credential area slug."),
    OpenApiParameter("cohort", OpenApiTypes.STR, description="A cohort slug."),
    OpenApiParameter("kind", OpenApiTypes.STR, enum=Resource.Kind.values),
    OpenApiParameter("tag", OpenApiTypes.STR, description="A tag (any case)."),
    OpenApiParameter("contributor", OpenApiTypes.INT, description="A contributor's id."),
    OpenApiParameter(
        "sort",
        OpenApiTypes.STR,
        enum=list(selectors.SORT_LABELS),
        description="relevance (the default with q), recent (the default without), "
        "useful or title.",
    ),
]

StaleResourceSerializer = inline_serializer(
    "StaleResource",
    {
        "detail": serializers.CharField(),
        "code": serializers.CharField(),
        "current": ResourceDetailSerializer(),
    },
)


LIST_DESCRIPTION = (
    "The resources the caller may read, across cohorts (anonymous callers: public ones), "
    "narrowed by the filters and sorted. An unknown filter value matches nothing."
)
CREATE_DESCRIPTION = (
    "Share a resource into a cohort (any active member of it; 404 for a cohort the caller "
    "may not read, 403 for one they read but may not add to): JSON for links and notes, "
    "multipart/form-data with `file` (and optional `version_note`) for files. An upload "
    "that is too large (413), of a kind not allowed or whose content does not match its "
    "name (415) is refused, and nothing is stored. Links must be http:// or https://."
)


class ResourceListView(generics.GenericAPIView):
    """The repertoire across cohorts: list (GET) and share (POST)."""

    serializer_class = ResourceSerializer
    permission_classes = [IsAuthenticatedOrReadOnly]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[Resource]:
        filters = selectors.Filters.from_query(self.request.query_params)
        return with_areas(selectors.resources_list(self.request.user, filters))

    @extend_schema(
        description=LIST_DESCRIPTION,
        parameters=LIST_PARAMETERS,
        responses=ResourceSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        data = ResourceSerializer(page, many=True, context={"request": request}).data
        return self.get_paginated_response(data)

    @extend_schema(
        description=CREATE_DESCRIPTION,
        request={
            "application/json": ResourceCreateSerializer,
            "multipart/form-data": ResourceCreateSerializer,
        },
        responses={
            201: ResourceDetailSerializer,
            400: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
            413: ErrorSerializer,
            415: ErrorSerializer,
        },
    )
    def post(self, request: Request) -> Response:
        form = ResourceCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        cohort = access_cohort(request.user, slug=data["cohort"], need="content")
        resource = services.resource_create(
            cohort=cohort,
            by=request.user,
            kind=data["kind"],
            data=_input(data),
            upload=data.get("file"),
            version_note=data.get("version_note", ""),
        )
        return Response(_detail(request, resource.pk), status=status.HTTP_201_CREATED)


class ResourceDetailView(generics.GenericAPIView):
    """One resource, with its file versions. PATCH edits it (its contributor, while an
    active member): any of its fields and the ``version`` the edit started from; a stale
    version answers 409 (code ``stale``) with the resource as it stands under ``current``,
    and nothing is overwritten. DELETE deletes it softly (its contributor or a
    facilitator; restorable for 30 days on the pages)."""

    serializer_class = ResourceDetailSerializer
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(responses={200: ResourceDetailSerializer, 404: ErrorSerializer})
    def get(self, request: Request, pk: int) -> Response:
        resource = access_resource(request.user, resource_id=pk)
        return Response(_detail(request, resource.pk))

    @extend_schema(
        request=ResourceEditSerializer,
        responses={
            200: ResourceDetailSerializer,
            400: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
            409: StaleResourceSerializer,
        },
    )
    def patch(self, request: Request, pk: int) -> Response:
        resource = access_resource(request.user, resource_id=pk, queryset=detail_rows())
        form = ResourceEditSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        try:
            services.resource_edit(
                resource=resource,
                by=request.user,
                data=_input(data, current=resource),
                version=data["version"],
            )
        except ServiceError as refused:
            if refused.code != "stale":
                raise
            return Response(
                {**service_error_body(refused), "current": _detail(request, resource.pk)},
                status=status_for(refused.code),
            )
        return Response(_detail(request, resource.pk))

    @extend_schema(
        responses={204: None, 403: ErrorSerializer, 404: ErrorSerializer},
    )
    def delete(self, request: Request, pk: int) -> Response:
        resource = access_resource(request.user, resource_id=pk)
        services.resource_delete(resource=resource, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ResourceUsefulView(generics.GenericAPIView):
    """Mark a resource useful, optionally saying how you used it: 201 the first time, 200
    when it was already marked (the note is replaced). DELETE takes the mark back."""

    serializer_class = UsefulSerializer
    permission_classes = [IsAuthenticated]

    def _answer(self, resource: Resource, mark: UsefulMark | None, code: int) -> Response:
        count = Resource.objects.filter(pk=resource.pk).values_list("useful_count", flat=True)
        body = {
            "marked": mark is not None,
            "note": mark.note if mark is not None else "",
            "useful_count": count.get(),
        }
        return Response(UsefulSerializer(body).data, status=code)

    @extend_schema(
        request=UsefulInputSerializer,
        responses={
            201: UsefulSerializer,
            200: UsefulSerializer,
            400: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        resource = access_resource(request.user, resource_id=pk)
        form = UsefulInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        before = UsefulMark.objects.filter(resource=resource, user=request.user).exists()
        mark = services.useful_mark(
            resource=resource, user=request.user, note=form.validated_data.get("note", "")
        )
        return self._answer(resource, mark, status.HTTP_200_OK if before else 201)

    @extend_schema(responses={200: UsefulSerializer, 404: ErrorSerializer})
    def delete(self, request: Request, pk: int) -> Response:
        resource = access_resource(request.user, resource_id=pk)
        services.useful_unmark(resource=resource, user=request.user)
        return self._answer(resource, None, status.HTTP_200_OK)
