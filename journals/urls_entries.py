"""The journal home and the entry pages (under /journal/, namespace ``journals``)."""

from django.urls import URLPattern, path

from journals.views import entries

urlpatterns: list[URLPattern] = [
    path("", entries.home, name="home"),
    path("entries/new/", entries.entry_new, name="entry_new"),
    path("entries/deleted/", entries.deleted, name="deleted"),
    path("entries/<int:pk>/", entries.entry, name="entry"),
    path("entries/<int:pk>/edit/", entries.entry_edit, name="entry_edit"),
    path("entries/<int:pk>/autosave/", entries.entry_autosave, name="entry_autosave"),
    path("entries/<int:pk>/visibility/", entries.entry_visibility, name="entry_visibility"),
    path("entries/<int:pk>/delete/", entries.entry_delete, name="entry_delete"),
    path("entries/<int:pk>/restore/", entries.entry_restore, name="entry_restore"),
]
