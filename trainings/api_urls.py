"""The app's REST endpoints, mounted under /api/v1/ (config/urls.py)."""

from django.urls import path

from trainings import api

urlpatterns = [
    path("trainings/", api.TrainingListView.as_view(), name="trainings"),
    path("trainings/<int:pk>/", api.TrainingDetailView.as_view(), name="training"),
    path("trainings/<int:pk>/submit/", api.TrainingSubmitView.as_view(), name="training-submit"),
    path("trainings/<int:pk>/review/", api.TrainingReviewView.as_view(), name="training-review"),
    path(
        "me/trainings/completions/",
        api.MyCompletionsView.as_view(),
        name="my-training-completions",
    ),
]
