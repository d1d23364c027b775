from django.urls import path

from competencies import views

app_name = "competencies"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.framework_detail, name="framework"),
    path("<slug:framework_slug>/<slug:area_slug>/", views.area_detail, name="area"),
]
