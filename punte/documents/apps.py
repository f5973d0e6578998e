from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "punte.documents"
    label = "documents"
    verbose_name = _("Case documents")

    def ready(self) -> None:
        from punte.documents import storage  # noqa: F401 - connects the erasure of stored bytes
