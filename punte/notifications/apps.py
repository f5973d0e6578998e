from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "punte.notifications"
    label = "notifications"
    verbose_name = "Notifications"
