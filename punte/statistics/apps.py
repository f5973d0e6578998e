from django.apps import AppConfig


class StatisticsConfig(AppConfig):
    name = "punte.statistics"
    label = "statistics"
    verbose_name = "Statistics"
