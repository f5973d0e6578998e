from django.utils.translation import gettext_lazy as _

PERMISSIONS: dict[str, str] = {
    "audit.view_person_access": _("See who accessed a person's data (data protection officer)"),
    "audit.search": _("Search the audit trail"),
    "audit.verify": _("Verify the integrity of the audit trail"),
}

DEFAULT_GRANTS: dict[str, list[str]] = {
    "system_admin": ["audit.verify"],
    "data_protection_officer": ["audit.view_person_access", "audit.search", "audit.verify"],
    "auditor": ["audit.search", "audit.verify"],
}
