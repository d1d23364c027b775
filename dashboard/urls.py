from django.urls import path

from dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("dashboard/", views.dashboard, name="home"),
    path("cops/", views.cop_directory, name="cops"),
    path("dashboard/contributions/", views.contributions, name="contributions"),
]
