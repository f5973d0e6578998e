from django.apps import AppConfig
from django.core import checks


class CoreConfig(AppConfig):
    name = "punte.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from punte.core import contract

        # Every app's checks.py (core's own included); Django keeps one registration per
        # function, so a second ready() in tests does not run a check twice.
        for check in contract.collect("checks", "CHECKS"):
            checks.register(check)
