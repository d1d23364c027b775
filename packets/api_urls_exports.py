"""(D) Packet exports over the API (namespace ``api``)."""

from django.urls import URLPattern, path

from packets.api_exports import ExportStatusView, PacketExportsView

urlpatterns: list[URLPattern] = [
    path("<int:pk>/exports/", PacketExportsView.as_view(), name="packet-exports"),
    path("exports/<uuid:export_id>/", ExportStatusView.as_view(), name="export"),
]
