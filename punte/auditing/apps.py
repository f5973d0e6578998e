from django.apps import AppConfig


class AuditingConfig(AppConfig):
    name = "punte.auditing"
    label = "auditing"
    verbose_name = "Audit pages"
