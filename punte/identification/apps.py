from django.apps import AppConfig


class IdentificationConfig(AppConfig):
    name = "punte.identification"
    label = "identification"
    verbose_name = "Identification"
