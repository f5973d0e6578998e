from django.apps import AppConfig
from django.core import checks
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "punte.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from punte.core import checks as core_checks
        from punte.core import contract, reference_data, rls

        # Counties, countries and languages follow this release's sources after every migrate,
        # not a migration that would import code (tests rebuild app configs: one receiver).
        post_migrate.connect(
            reference_data.load_after_migrate, dispatch_uid="punte.core.reference_data"
        )

        # Row-level security follows the apps' rls.py after every migrate (ADR 0036): once, as
        # core is always among the migrated apps.
        post_migrate.connect(
            rls.apply_after_migrate, sender=self, dispatch_uid="punte.core.rls.apply"
        )

        # Reads the database: only when a check is asked of it (`check --database default`).
        # A deployment check: `migrate` itself runs the database checks, and it is what puts
        # row-level security in force on a database made before it.
        checks.register(core_checks.row_level_security, checks.Tags.database, deploy=True)

        # Every app's checks.py (core's own included); Django keeps one registration per
        # function, so a second ready() in tests does not run a check twice.
        for check in contract.collect("checks", "CHECKS"):
            checks.register(check)
