from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "punte.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from punte.accounts import signals  # noqa: F401
        from punte.accounts.roles import offer_default_grants

        # Once per migrate (sent for this app only), after every app's migrations have run.
        post_migrate.connect(offer_default_grants, sender=self)
