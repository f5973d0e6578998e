from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "punte.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from punte.accounts import signals  # noqa: F401
        from punte.accounts.roles import offer_default_grants

        # Not bound to this AppConfig instance: tests that change INSTALLED_APPS make new ones,
        # and the uid keeps one receiver however often ready() runs.
        post_migrate.connect(offer_default_grants, dispatch_uid="punte.accounts.default_grants")
