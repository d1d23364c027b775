"""The journal's pages, mounted at the site root (config/urls.py): /journal/..."""

from django.urls import include, path

app_name = "journals"

urlpatterns = [
    path("journal/", include("journals.urls_entries")),
    path("journal/", include("journals.urls_evidence")),
    path("journal/", include("journals.urls_prompts")),
    path("journal/", include("journals.urls_assess")),
]
