from django.apps import AppConfig


class IdentificationConfig(AppConfig):
    name = "punte.identification"
    label = "identification"
    verbose_name = "Identification"
    # Three domains under one label (tables, migrations and audit subject types stay
    # "identification"); each part contributes its own api, urls, journey, retention and demo
    # (punte.core.contract). A part may import the parts before it, never those after.
    parts = ("persons", "signals", "screening")
