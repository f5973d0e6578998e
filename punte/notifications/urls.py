from django.urls import path

from punte.notifications import views

URL_PREFIX = "notifications/"
app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("read-all", views.notification_read_all, name="read_all"),
    path("<uuid:notification_id>/open", views.notification_open, name="open"),
    path("<uuid:notification_id>/read", views.notification_read, name="read"),
]
