from django.apps import AppConfig


class LinkageConfig(AppConfig):
    name = "punte.linkage"
    label = "linkage"
    verbose_name = "Record linkage"
