"""Mounted at ``cohorts/<slug>/threads/`` (before the cohorts URLs)."""

from django.urls import path

from discussions import views

app_name = "discussions"

urlpatterns = [
    path("", views.thread_list, name="list"),
    path("new/", views.thread_new, name="new"),
    path("read/", views.read_all, name="read_all"),
    path("preview/", views.preview, name="preview"),
    path("<int:pk>/", views.thread_detail, name="thread"),
    path("<int:pk>/posts/", views.post_create, name="post"),
    path("<int:pk>/posts/<int:post_id>/edit/", views.post_edit, name="edit"),
    path("<int:pk>/posts/<int:post_id>/history/", views.post_history, name="history"),
    path("<int:pk>/posts/<int:post_id>/delete/", views.post_delete, name="delete"),
    path("<int:pk>/posts/<int:post_id>/restore/", views.post_restore, name="restore"),
    path("<int:pk>/posts/<int:post_id>/hide/", views.post_hide, name="hide"),
    path("<int:pk>/posts/<int:post_id>/react/", views.post_react, name="react"),
    path("<int:pk>/flags/", views.thread_flags, name="flags"),
    path("<int:pk>/follow/", views.thread_follow, name="follow"),
    path("<int:pk>/read/", views.thread_read, name="read"),
    path("<int:pk>/unread/", views.first_unread, name="first_unread"),
    path("<int:pk>/mentions/", views.mentions, name="mentions"),
]
