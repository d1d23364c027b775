"""(A) Packets and their sections over the REST API (namespace ``api``)."""

from django.urls import URLPattern, path

from packets import api

urlpatterns: list[URLPattern] = [
    path("", api.PacketListView.as_view(), name="packets"),
    path("<int:pk>/", api.PacketDetailView.as_view(), name="packet"),
    path(
        "<int:pk>/sections/<int:section_id>/",
        api.PacketSectionView.as_view(),
        name="packet-section",
    ),
]
