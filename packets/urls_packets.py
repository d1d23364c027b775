"""(A) Packet list, packet page, sections (namespace ``packets``)."""

from django.urls import URLPattern, path

from packets.views import packets

urlpatterns: list[URLPattern] = [
    path("<int:pk>/", packets.packet, name="packet"),
]
