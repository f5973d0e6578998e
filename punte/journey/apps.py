from django.apps import AppConfig


class JourneyConfig(AppConfig):
    name = "punte.journey"
    label = "journey"
    verbose_name = "Worklists and the journey"
