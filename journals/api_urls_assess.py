"""Coverage and self-assessments over the REST API (under /api/v1/journal/, namespace
"api")."""

from django.urls import path

from journals import api

urlpatterns = [
    path("coverage/", api.CoverageView.as_view(), name="journal-coverage"),
    path("self-assessments/", api.AssessmentListView.as_view(), name="journal-assessments"),
    path(
        "self-assessments/<int:pk>/",
        api.AssessmentDetailView.as_view(),
        name="journal-assessment",
    ),
]
