from django.urls import path

from punte.statistics import views

app_name = "statistics"

urlpatterns = [path("dashboard/", views.dashboard, name="dashboard")]
