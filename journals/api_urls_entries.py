"""Entries and their evidence over the REST API (under /api/v1/journal/, namespace "api")."""

from django.urls import path

from journals import api

urlpatterns = [
    path("entries/", api.EntryListView.as_view(), name="journal-entries"),
    path("entries/<int:pk>/", api.EntryDetailView.as_view(), name="journal-entry"),
    path(
        "entries/<int:pk>/evidence/",
        api.EntryEvidenceView.as_view(),
        name="journal-entry-evidence",
    ),
]
