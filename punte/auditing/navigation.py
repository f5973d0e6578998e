from django.utils.translation import gettext_lazy as _

from punte.core.contract import NavEntry

NAVIGATION = [
    NavEntry(
        _("Access to personal data"),
        "audit:person_access",
        ("audit.view_person_access",),
        order=60,
    ),
    NavEntry(_("Audit trail"), "audit:search", ("audit.search",), order=70),
]
