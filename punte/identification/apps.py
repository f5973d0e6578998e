from django.apps import AppConfig


class IdentificationConfig(AppConfig):
    name = "punte.identification"
    label = "identification"
    verbose_name = "Identification"
    # Three domains under one label (tables, migrations and audit subject types stay
    # "identification", ADR 0028); each part contributes its own api, urls, journey, retention,
    # demo... (punte.core.contract), discovered in this order, which is the order the API
    # document has always listed them in. Imports run persons <- signals <- screening only
    # (the import-linter contract in pyproject.toml).
    parts = ("persons", "screening", "signals")
