"""Self-assessments and coverage (under /journal/, namespace ``journals``)."""

from django.urls import path

from journals.views import assess, coverage

urlpatterns = [
    path("self-assessment/", assess.assessments, name="assessments"),
    path("self-assessment/take/", assess.assessment_take, name="assessment_take"),
    path("self-assessment/<int:pk>/", assess.assessment, name="assessment"),
    path("coverage/", coverage.coverage, name="coverage"),
    path("coverage/<str:code>/", coverage.coverage_cell, name="coverage_cell"),
]
