from django.utils.translation import gettext_lazy as _

PERMISSIONS: dict[str, str] = {
    "dashboard.national": _(
        "See the national dashboard: aggregate figures for the whole country and overdue referrals"
    ),
}

# Aggregate figures for the whole country (ADR 0025), for the agency's people (coordinator,
# regional centres' officers, data analysts). Nobody outside the agency holds it by default: its
# small counts may not leave the agency.
DEFAULT_GRANTS: dict[str, list[str]] = {
    "national_coordinator": ["dashboard.national"],
    "regional_officer": ["dashboard.national"],
    "data_analyst": ["dashboard.national"],
}
