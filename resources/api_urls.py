"""The app's REST endpoints, mounted under /api/v1/ (config/urls.py, namespace "api")."""

from django.urls import path

from resources.api import ResourceDetailView, ResourceListView, ResourceUsefulView

urlpatterns = [
    path("resources/", ResourceListView.as_view(), name="resources"),
    path("resources/<int:pk>/", ResourceDetailView.as_view(), name="resource"),
    path("resources/<int:pk>/useful/", ResourceUsefulView.as_view(), name="resource-useful"),
]
