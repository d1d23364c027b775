"""(A) Packet list, packet page, sections (namespace ``packets``)."""

from django.urls import URLPattern, path

from packets.views import packets, sections

urlpatterns: list[URLPattern] = [
    path("", packets.home, name="home"),
    path("new/", packets.new, name="new"),
    path("<int:pk>/", packets.packet, name="packet"),
    path("<int:pk>/status/", packets.status, name="status"),
    path("<int:pk>/assessment/", packets.assessment, name="assessment"),
    path("<int:pk>/share/", packets.share, name="share"),
    path("<int:pk>/unshare/", packets.unshare, name="unshare"),
    path("<int:pk>/comments/", packets.comment, name="comment"),
    path("<int:pk>/sections/<int:section_pk>/", sections.section, name="section"),
    path(
        "<int:pk>/sections/<int:section_pk>/autosave/",
        sections.section_autosave,
        name="section_autosave",
    ),
    path("<int:pk>/sections/<int:section_pk>/quote/", sections.section_quote, name="section_quote"),
]
