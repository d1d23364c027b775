from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path, re_path

from accounts.api import MeView
from accounts.views import ConfirmEmailView
from accounts.views_data import DataExportStatusView, DataExportView
from cohorts.api import CohortDetailView, CohortJoinView, CohortListView, CohortSessionsView
from competencies.api import CompetencyTreeView
from core.api import api_not_found
from core.views import SchemaDocsView, SchemaView, healthz
from dashboard.search import search_view
from dashboard.views import home
from discussions.api import CohortThreadsView, PostDetailView, ThreadPostsView

# The admin has no sign-in of its own: its login page hands over to the site's, so the
# second factor and the login rate limits apply to staff as to everyone.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

api_v1 = [
    path("me/", MeView.as_view(), name="me"),
    path("me/data-export/", DataExportView.as_view(), name="me-data-export"),
    path(
        "me/data-export/<uuid:export_id>/",
        DataExportStatusView.as_view(),
        name="me-data-export-status",
    ),
    path("competencies/", CompetencyTreeView.as_view(), name="competencies"),
    path("cohorts/", CohortListView.as_view(), name="cohorts"),
    path("cohorts/<slug:slug>/", CohortDetailView.as_view(), name="cohort"),
    path("cohorts/<slug:slug>/join/", CohortJoinView.as_view(), name="cohort-join"),
    path("cohorts/<slug:slug>/sessions/", CohortSessionsView.as_view(), name="cohort-sessions"),
    path("cohorts/<slug:slug>/threads/", CohortThreadsView.as_view(), name="cohort-threads"),
    path("threads/<int:thread_id>/posts/", ThreadPostsView.as_view(), name="thread-posts"),
    path("posts/<int:post_id>/", PostDetailView.as_view(), name="post"),
    path("", include("resources.api_urls")),
    path("", include("trainings.api_urls")),
    path("", include("packets.api_urls")),
    path("", include("journals.api_urls")),
]

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    # allauth's confirmation page, without the address for anyone but its owner.
    re_path(
        r"^accounts/confirm-email/(?P<key>[-:\w]+)/$",
        ConfirmEmailView.as_view(),
        name="account_confirm_email",
    ),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("", include("dashboard.urls")),
    path("", include("dashboard.urls_participation")),
    path("competencies/", include("competencies.urls")),
    path("search/", search_view, name="search"),
    path("cohorts/<slug:slug>/threads/", include("discussions.urls")),
    path("cohorts/", include("cohorts.urls")),
    path("files/", include("files.urls")),
    path("", include("resources.urls")),
    path("", include("trainings.urls")),
    path("", include("packets.urls")),
    path("", include("journals.urls")),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    path("api/docs/", SchemaDocsView.as_view(url_name="schema"), name="api-docs"),
    # Last: anything else under /api/ is a JSON 404, whatever the method.
    re_path(r"^api(?:/.*)?$", api_not_found, name="api-not-found"),
]

handler400 = "core.views.bad_request"
handler403 = "core.views.permission_denied"
handler404 = "core.views.not_found"
handler500 = "core.views.server_error"

admin.site.site_header = "Commonplace administration"
admin.site.site_title = "Commonplace admin"
