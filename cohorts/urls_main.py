"""The directory, proposals, reviews and a cohort's own pages. Fixed paths come before
``<slug:slug>/`` (cohort slugs never take those names: lifecycle.RESERVED_SLUGS)."""

from django.urls import path

from cohorts.views import cohort, directory, goals, proposal, review

urlpatterns = [
    path("", directory.directory, name="directory"),
    path("propose/", proposal.propose, name="propose"),
    path("reviews/", review.review_queue, name="review_queue"),
    path("<slug:slug>/", cohort.detail, name="detail"),
    path("<slug:slug>/edit/", proposal.edit, name="edit"),
    path("<slug:slug>/submit/", proposal.submit, name="submit"),
    path("<slug:slug>/join/", cohort.join, name="join"),
    path("<slug:slug>/leave/", cohort.leave, name="leave"),
    path("<slug:slug>/start-here/dismiss/", cohort.start_here_dismiss, name="start_here_dismiss"),
    path("<slug:slug>/review/", review.review, name="review"),
    path("<slug:slug>/lifecycle/<slug:action>/", cohort.lifecycle, name="lifecycle"),
    path("<slug:slug>/members/", cohort.members, name="members"),
    path("<slug:slug>/goals/", goals.goal_propose, name="goal_propose"),
    path("<slug:slug>/goals/<int:pk>/support/", goals.goal_support, name="goal_support"),
    path("<slug:slug>/goals/<int:pk>/status/", goals.goal_status, name="goal_status"),
]
