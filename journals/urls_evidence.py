"""Evidence on an entry and "use as evidence" (under /journal/, namespace ``journals``)."""

from django.urls import path

from journals.views import evidence

urlpatterns = [
    path("entries/<int:pk>/evidence/", evidence.add, name="evidence_add"),
    path(
        "entries/<int:pk>/evidence/<int:evidence_id>/edit/",
        evidence.edit,
        name="evidence_edit",
    ),
    path(
        "entries/<int:pk>/evidence/<int:evidence_id>/remove/",
        evidence.remove,
        name="evidence_remove",
    ),
    path(
        "entries/<int:pk>/evidence/<int:evidence_id>/move/",
        evidence.move,
        name="evidence_move",
    ),
    path("use/", evidence.use_as_evidence, name="use_as_evidence"),
]
