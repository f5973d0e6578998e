from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "punte.core"
    label = "core"
    verbose_name = "Core"
