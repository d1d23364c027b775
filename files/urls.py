from django.urls import path

from files import views

app_name = "files"

urlpatterns = [
    path("<uuid:pk>/", views.download, name="download"),
    path("exports/<uuid:pk>/", views.export_page, name="export"),
    path("exports/<uuid:pk>/status/", views.export_status, name="export_status"),
    path("exports/<uuid:pk>/download/", views.export_download, name="export_download"),
]
