from django.utils.translation import gettext_lazy as _

from punte.core.contract import NavEntry

NAVIGATION = [
    NavEntry(
        _("Administration"),
        "accounts:admin_home",
        ("organisation.manage", "user.manage", "role.manage"),
        order=80,
    )
]
