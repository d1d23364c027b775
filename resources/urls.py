"""The repertoire's pages. Cohort pages sit under /cohorts/<slug>/ beside the cohort's
own; a resource and its file versions have stable URLs of their own (journals cite them)."""

from django.urls import path

from resources.views import collections, lists, resource

app_name = "resources"

urlpatterns = [
    # Everything the person may see, across cohorts.
    path("resources/", lists.library, name="library"),
    path("resources/tags/", lists.tag_suggestions, name="tags"),
    path("resources/<int:resource_id>/", resource.detail, name="detail"),
    path("resources/<int:resource_id>/edit/", resource.edit, name="edit"),
    path("resources/<int:resource_id>/delete/", resource.delete, name="delete"),
    path("resources/<int:resource_id>/restore/", resource.restore, name="restore"),
    path("resources/<int:resource_id>/useful/", resource.useful, name="useful"),
    path("resources/<int:resource_id>/moderate/", resource.moderate, name="moderate"),
    path("resources/<int:resource_id>/discuss/", resource.discuss, name="discuss"),
    path("resources/<int:resource_id>/collect/", resource.collect, name="collect"),
    path("resources/<int:resource_id>/versions/new/", resource.version_new, name="version_new"),
    path(
        "resources/<int:resource_id>/versions/<int:number>/",
        resource.version_download,
        name="version",
    ),
    # One cohort's repertoire.
    path("cohorts/<slug:slug>/resources/", lists.repertoire, name="repertoire"),
    path("cohorts/<slug:slug>/resources/new/", lists.create, name="create"),
    path("cohorts/<slug:slug>/resources/deleted/", lists.deleted, name="deleted"),
    path("cohorts/<slug:slug>/collections/", collections.collections, name="collections"),
    path("cohorts/<slug:slug>/collections/new/", collections.collection_new, name="collection_new"),
    path(
        "cohorts/<slug:slug>/collections/<int:collection_id>/",
        collections.collection,
        name="collection",
    ),
    path(
        "cohorts/<slug:slug>/collections/<int:collection_id>/edit/",
        collections.collection_edit,
        name="collection_edit",
    ),
    path(
        "cohorts/<slug:slug>/sessions/<int:session_id>/materials/",
        collections.session_materials,
        name="session_materials",
    ),
    # A file version's preview (images only), with the version's own permission check.
    path(
        "resources/<int:resource_id>/versions/<int:number>/thumbnail/",
        resource.version_thumbnail,
        name="version_thumbnail",
    ),
]
