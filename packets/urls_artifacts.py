"""(B) A packet's artifacts and development list (namespace ``packets``)."""

from django.urls import URLPattern, path

from packets.views import artifacts, development

urlpatterns: list[URLPattern] = [
    path("<int:pk>/artifacts/", artifacts.pick, name="artifacts_pick"),
    path("<int:pk>/artifacts/add/", artifacts.add, name="artifact_add"),
    path("<int:pk>/artifacts/<int:artifact_id>/edit/", artifacts.edit, name="artifact_edit"),
    path("<int:pk>/artifacts/<int:artifact_id>/move/", artifacts.move, name="artifact_move"),
    path("<int:pk>/artifacts/<int:artifact_id>/remove/", artifacts.remove, name="artifact_remove"),
    path("<int:pk>/development/", development.page, name="development"),
    path("<int:pk>/development/refresh/", development.refresh, name="development_refresh"),
    path("<int:pk>/development/new/", development.add, name="development_add"),
    path("<int:pk>/development/<int:item_id>/edit/", development.edit, name="development_edit"),
    path("<int:pk>/development/<int:item_id>/move/", development.move, name="development_move"),
    path(
        "<int:pk>/development/<int:item_id>/remove/",
        development.remove,
        name="development_remove",
    ),
]
