from django.http import HttpResponse
from django.urls import path

app_name = "trainings"


def _todo(request, **kw):  # type: ignore[no-untyped-def]
    return HttpResponse("")


urlpatterns: list = [
    path("trainings/", _todo, name="catalog"),
    path("trainings/<int:pk>/", _todo, name="detail"),
    path("trainings/<int:pk>/manage/", _todo, name="manage"),
    path("trainings/<int:pk>/review/", _todo, name="review"),
]
