from django.urls import path

from punte.testing.plugin_app import views

URL_PREFIX = "plugin/"
app_name = "plugin_app"

urlpatterns = [path("", views.index, name="index")]
