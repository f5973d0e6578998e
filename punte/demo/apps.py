from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "punte.demo"
    label = "demo"
    verbose_name = "Demonstration data"
