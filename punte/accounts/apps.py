from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "punte.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from punte.accounts import signals  # noqa: F401
