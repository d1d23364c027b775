from django.urls import path

from dashboard import participation

app_name = "participation"

urlpatterns = [
    path("cohorts/<slug:slug>/participation/", participation.cohort_participation, name="cohort"),
]
