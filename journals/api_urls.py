"""The journal's REST endpoints, mounted under /api/v1/ (config/urls.py)."""

from django.urls import include, path

urlpatterns = [
    path("journal/", include("journals.api_urls_entries")),
    path("journal/", include("journals.api_urls_assess")),
]
