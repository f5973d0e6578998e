from django.apps import AppConfig
from django.core import checks
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "punte.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from punte.core import contract, reference_data

        # Counties, countries and languages follow this release's sources after every migrate,
        # not a migration that would import code (tests rebuild app configs: one receiver).
        post_migrate.connect(
            reference_data.load_after_migrate, dispatch_uid="punte.core.reference_data"
        )

        # Every app's checks.py (core's own included); Django keeps one registration per
        # function, so a second ready() in tests does not run a check twice.
        for check in contract.collect("checks", "CHECKS"):
            checks.register(check)
