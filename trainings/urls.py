from django.urls import path

from trainings import views

app_name = "trainings"

urlpatterns = [
    path("trainings/", views.catalog, name="catalog"),
    path("trainings/calendar.ics", views.calendar_feed, name="calendar"),
    path("trainings/<int:pk>/", views.detail, name="detail"),
    # Providers
    path("trainings/provide/", views.mine, name="mine"),
    path("trainings/provide/request/", views.provider_request, name="provider_request"),
    path("trainings/provide/organisation/", views.organisation, name="organisation_new"),
    path("trainings/provide/organisation/<int:pk>/", views.organisation, name="organisation"),
    path("trainings/provide/new/", views.create, name="create"),
    path("trainings/<int:pk>/edit/", views.edit, name="edit"),
    path("trainings/<int:pk>/submit/", views.submit, name="submit"),
    path("trainings/<int:pk>/manage/", views.manage, name="manage"),
    path("trainings/<int:pk>/renew/", views.renew, name="renew"),
    path("trainings/<int:pk>/completions/confirm/", views.confirm_completions, name="confirm"),
    # Reviewers
    path("trainings/review/", views.queue, name="queue"),
    path("trainings/review/conflicts/", views.conflicts, name="conflicts"),
    path("trainings/<int:pk>/review/", views.review, name="review"),
    path("trainings/<int:pk>/recuse/", views.recuse, name="recuse"),
    # Members
    path("trainings/completions/", views.completions, name="completions"),
    path("trainings/<int:pk>/complete/", views.complete, name="complete"),
    path(
        "trainings/completions/<int:pk>/delete/",
        views.completion_delete,
        name="completion_delete",
    ),
]
