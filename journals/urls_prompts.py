"""Prompts, feedback and the facilitators' reflections view (under /journal/)."""

from django.urls import path

from journals.views import feedback, prompts

urlpatterns = [
    path("cohorts/<slug:slug>/prompts/", prompts.prompts, name="prompts"),
    path("cohorts/<slug:slug>/prompts/new/", prompts.prompt_new, name="prompt_new"),
    path("cohorts/<slug:slug>/reflections/", prompts.reflections, name="reflections"),
    path("prompts/<int:pk>/", prompts.prompt, name="prompt"),
    path("prompts/<int:pk>/edit/", prompts.prompt_edit_view, name="prompt_edit"),
    path("prompts/<int:pk>/close/", prompts.prompt_close_view, name="prompt_close"),
    path("entries/<int:pk>/comments/", feedback.comment_create_view, name="comment_create"),
]
