from django.urls import include, path

app_name = "cohorts"

# Fixed paths (calendar/, invitations/..., propose/, reviews/) come before "<slug>/" inside
# each module, and cohort slugs never take those names (lifecycle.RESERVED_SLUGS).
urlpatterns = [
    path("", include("cohorts.urls_console")),
    path("", include("cohorts.urls_main")),
]
