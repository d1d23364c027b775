"""(D) Packet exports (namespace ``packets``)."""

from django.urls import URLPattern, path

from packets.views import exports

urlpatterns: list[URLPattern] = [
    path("<int:pk>/exports/", exports.export_create, name="export_create"),
]
