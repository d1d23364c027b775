from django.urls import path

from dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("dashboard/", views.dashboard, name="home"),
    path("cops/", views.cop_directory, name="cops"),
    path("trainings/", views.trainings_catalog, name="trainings"),
]
