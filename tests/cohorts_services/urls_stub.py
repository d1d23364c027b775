"""Temporary URLconf: the six cohort URL names the services reverse, until the real pages land."""

from django.http import HttpResponse
from django.urls import include, path


def _ok(request, *args, **kwargs):  # type: ignore[no-untyped-def]
    return HttpResponse("stub")


cohort_patterns = [
    path("", _ok, name="directory"),
    path("invitations/<str:token>/", _ok, name="invitation"),
    path("<slug:slug>/", _ok, name="detail"),
    path("<slug:slug>/review/", _ok, name="review"),
    path("<slug:slug>/console/", _ok, name="console"),
    path("<slug:slug>/sessions/<int:pk>/", _ok, name="session"),
]

urlpatterns = [path("cohorts/", include((cohort_patterns, "cohorts")))]
