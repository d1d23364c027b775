"""Packet pages, mounted at the site root (config/urls.py): /journal/packets/... and the
partner's letter link /letters/<token>/."""

from django.urls import include, path

app_name = "packets"

urlpatterns = [
    path("journal/packets/", include("packets.urls_packets")),
    path("journal/packets/", include("packets.urls_artifacts")),
    path("journal/packets/", include("packets.urls_letters")),
    path("journal/packets/", include("packets.urls_exports")),
    path("letters/", include("packets.urls_partner")),
]
