"""The "My data" page (request a ZIP of everything, follow it, download it), account
deletion (a statement of what goes and what stays, then a confirmation) and the API's
``POST /api/v1/me/data-export/``."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services_data
from accounts.forms_data import AccountDeleteForm
from core.data import DELETED, FORMER_MEMBER, KEPT
from core.errors import ServiceError, not_found
from files.exports import access_export, exports_for
from files.models import Export
from files.views import export_payload

RECENT_EXPORTS = 5


@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    exports = list(exports_for(request.user, kind=services_data.DATA_EXPORT_KIND)[:RECENT_EXPORTS])
    return render(
        request,
        "account/data_export.html",
        {"exports": exports, "back": reverse("accounts:my_data")},
    )


@login_required
@require_POST
def my_data_request(request: HttpRequest) -> HttpResponse:
    try:
        services_data.data_export_request(user=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            "Your data export is on its way. It takes a moment; you will get a notification "
            "with the link when it is ready.",
        )
    return redirect("accounts:my_data")


@login_required
def account_delete(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = AccountDeleteForm(request.POST if request.method == "POST" else None, user=user)
    if request.method == "POST" and form.is_valid():
        services_data.account_delete(user=user)
        logout(request)
        messages.success(
            request,
            "Your account is deleted. Your private things are gone; what you shared stays, "
            f"shown as written by “{FORMER_MEMBER.lower()}”.",
        )
        return redirect("home")
    summaries = services_data.deletion_summary(user=user)
    deleted = [(s.source, [line for line in s.lines if line.fate == DELETED]) for s in summaries]
    kept = [(s.source, [line for line in s.lines if line.fate == KEPT]) for s in summaries]
    return render(
        request,
        "account/delete.html",
        {
            "form": form,
            "deleted": [(source, lines) for source, lines in deleted if lines],
            "kept": [(source, lines) for source, lines in kept if lines],
            "former_member": FORMER_MEMBER,
        },
        status=400 if request.method == "POST" else 200,
    )


class DataExportView(APIView):
    """Ask for a ZIP of everything you have on Commonplace (``data.json`` + ``files/``).
    Built in the background: poll ``url`` (the export's status) until ``status`` is
    ``done``, then fetch its ``download_url``."""

    @extend_schema(
        request=None,
        responses={
            202: inline_serializer(
                "DataExportAccepted",
                {
                    "id": serializers.UUIDField(),
                    "status": serializers.ChoiceField(choices=Export.Status.choices),
                    "url": serializers.CharField(help_text="The export's status (JSON)."),
                },
            ),
        },
    )
    def post(self, request: Request) -> Response:
        export = services_data.data_export_request(user=request.user)
        return Response(
            {
                "id": str(export.pk),
                "status": export.status,
                "url": request.build_absolute_uri(
                    reverse("api:me-data-export-status", args=[export.pk])
                ),
            },
            status=status.HTTP_202_ACCEPTED,
        )


class DataExportStatusSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=Export.Status.choices)
    progress = serializers.IntegerField(min_value=0, max_value=100)
    message = serializers.CharField()
    error = serializers.CharField()
    filename = serializers.CharField()
    size = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField()
    download_url = serializers.CharField(
        allow_null=True, help_text="Set once ``status`` is ``done``."
    )


class DataExportStatusView(APIView):
    """One of your data exports: its status and progress, and once ``done`` its
    ``download_url``. Someone else's export, or an expired one, is a 404."""

    @extend_schema(responses=DataExportStatusSerializer)
    def get(self, request: Request, export_id: UUID) -> Response:
        export = access_export(request.user, export_id)
        if export.kind != services_data.DATA_EXPORT_KIND:
            raise not_found()
        payload = export_payload(export)
        if payload["download_url"]:
            payload["download_url"] = request.build_absolute_uri(payload["download_url"])
        fields = DataExportStatusSerializer().fields
        return Response({k: v for k, v in payload.items() if k in fields})
