from django.urls import path

from punte.statistics import views

URL_PREFIX = "statistics/"
app_name = "statistics"

urlpatterns = [path("dashboard/", views.dashboard, name="dashboard")]
