"""The packets' API, under /api/v1/ (namespace ``api``)."""

from django.urls import include, path

urlpatterns = [
    path("journal/packets/", include("packets.api_urls_packets")),
    path("journal/packets/", include("packets.api_urls_exports")),
]
