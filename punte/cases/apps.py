from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "punte.cases"
    label = "cases"
    verbose_name = "Assistance cases"
