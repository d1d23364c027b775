"""The repertoire's pages. Cohort pages sit under /cohorts/<slug>/ beside the cohort's
own; a resource and its file versions have stable URLs of their own (journals cite them)."""

from django.urls import path

from resources import views

app_name = "resources"

urlpatterns = [
    # Everything the person may see, across cohorts.
    path("resources/", views.library, name="library"),
    path("resources/tags/", views.tag_suggestions, name="tags"),
    path("resources/<int:resource_id>/", views.detail, name="detail"),
    path("resources/<int:resource_id>/edit/", views.edit, name="edit"),
    path("resources/<int:resource_id>/delete/", views.delete, name="delete"),
    path("resources/<int:resource_id>/restore/", views.restore, name="restore"),
    path("resources/<int:resource_id>/useful/", views.useful, name="useful"),
    path("resources/<int:resource_id>/moderate/", views.moderate, name="moderate"),
    path("resources/<int:resource_id>/discuss/", views.discuss, name="discuss"),
    path("resources/<int:resource_id>/collect/", views.collect, name="collect"),
    path("resources/<int:resource_id>/versions/new/", views.version_new, name="version_new"),
    path(
        "resources/<int:resource_id>/versions/<int:number>/",
        views.version_download,
        name="version",
    ),
    # One cohort's repertoire.
    path("cohorts/<slug:slug>/resources/", views.repertoire, name="repertoire"),
    path("cohorts/<slug:slug>/resources/new/", views.create, name="create"),
    path("cohorts/<slug:slug>/resources/deleted/", views.deleted, name="deleted"),
    path("cohorts/<slug:slug>/collections/", views.collections, name="collections"),
    path("cohorts/<slug:slug>/collections/new/", views.collection_new, name="collection_new"),
    path(
        "cohorts/<slug:slug>/collections/<int:collection_id>/",
        views.collection,
        name="collection",
    ),
    path(
        "cohorts/<slug:slug>/collections/<int:collection_id>/edit/",
        views.collection_edit,
        name="collection_edit",
    ),
    path(
        "cohorts/<slug:slug>/sessions/<int:session_id>/materials/",
        views.session_materials,
        name="session_materials",
    ),
]
