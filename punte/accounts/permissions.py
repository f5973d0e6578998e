"""The roles, accounts' own permissions, and the catalogue every app's permissions make up.

Each app declares, in its own `permissions.py` (found by core.contract), its `PERMISSIONS`
({code: description}) and its `DEFAULT_GRANTS` ({role code: [permission, ...]}): what each
role holds when it is created, or when the app adds a permission. The roles themselves (codes,
names, scopes) are defined here. `seed_roles` (accounts/roles.py, run after every migrate and by
load_demo) offers each role its defaults once; the national agency's administrator may then
adjust a role's permissions in the web UI. Checks always read the tables, never this module.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from punte.core import contract


class Scope:
    """How far a role's record permissions reach (after Primero's record scopes)."""

    ALL = "all"
    ORGANISATION = "organisation"
    OWN = "own"


# code: (name, scope)
ROLE_DEFINITIONS: dict[str, tuple[str, str]] = {
    "system_admin": (_("Administrator (national agency)"), Scope.ORGANISATION),
    "national_coordinator": (_("National coordinator"), Scope.ALL),
    "regional_officer": (_("Regional centre officer"), Scope.ORGANISATION),
    "first_responder": (_("First responder"), Scope.OWN),
    "police_investigator": (_("Police investigator"), Scope.ORGANISATION),
    "prosecutor": (_("Prosecutor"), Scope.ORGANISATION),
    "child_protection_officer": (_("Child protection officer"), Scope.ORGANISATION),
    "child_protection_supervisor": (_("Child protection supervisor"), Scope.ORGANISATION),
    "helpline_operator": (_("119 helpline operator"), Scope.OWN),
    "clinician": (_("Emergency physician"), Scope.OWN),
    "ngo_caseworker": (_("NGO caseworker"), Scope.ORGANISATION),
    "service_provider": (_("Service provider"), Scope.ORGANISATION),
    "fund_commission_member": (_("Emergency fund commission member"), Scope.OWN),
    "cyber_investigator": (_("Cyber investigator"), Scope.ORGANISATION),
    "alert_issuer": (_("Missing-child alert issuer"), Scope.OWN),
    "evaluator": (_("Independent evaluator"), Scope.OWN),
    "data_protection_officer": (_("Data protection officer"), Scope.OWN),
    "auditor": (_("Auditor"), Scope.OWN),
    # Record linkage is national by nature: a pair joins records of any two organisations.
    "data_analyst": (_("Data analyst (national agency)"), Scope.ALL),
    "unit_supervisor": (_("Head of unit (supervisor)"), Scope.ORGANISATION),
}

PERMISSIONS: dict[str, str] = {
    "organisation.view": _("See the registry of organisations"),
    "organisation.manage": _("Create and change organisations"),
    "user.manage": _("Create, change and deactivate users and their memberships"),
    "role.manage": _("Change which permissions each role holds"),
}

# The administration permissions act nationally, whatever the role's scope: organisation.manage,
# user.manage and role.manage are duties of the national agency's administrator, who keeps the
# registry of every organisation and the accounts of every user in the country. The scope of a
# role ("organisation" for system_admin) limits only record permissions (persons, cases, ...), so
# the administrator does not see victims' records of the agency's partners. Granting one of these
# three permissions to another role therefore grants national reach; the role matrix page warns.
DEFAULT_GRANTS: dict[str, list[str]] = {
    code: ["organisation.view"] for code in ROLE_DEFINITIONS
} | {
    "system_admin": ["organisation.view", "organisation.manage", "user.manage", "role.manage"],
}


def catalogue() -> dict[str, str]:
    """Every permission of the installed apps: {code: description}, in INSTALLED_APPS order."""
    return contract.collect_mapping("permissions", "PERMISSIONS")


def default_grants() -> dict[str, list[str]]:
    """Each role's default permissions, from every app's DEFAULT_GRANTS, in INSTALLED_APPS
    order. A grant to an unknown role or of an unknown permission is a mistake and raises."""
    known = catalogue()
    grants: dict[str, list[str]] = {code: [] for code in ROLE_DEFINITIONS}
    for package, contributed in contract.contributions("permissions", "DEFAULT_GRANTS"):
        for code, permissions in contributed.items():
            if code not in grants:
                raise ImproperlyConfigured(
                    f"{package} grants permissions to unknown role {code!r}."
                )
            unknown = sorted(set(permissions) - set(known))
            if unknown:
                raise ImproperlyConfigured(
                    f"{package} grants {code!r} unknown permissions: {unknown}."
                )
            grants[code].extend(p for p in permissions if p not in grants[code])
    return grants


def roles() -> dict[str, tuple[str, str, list[str]]]:
    """{code: (name, scope, default permissions)} of every role."""
    grants = default_grants()
    return {code: (name, scope, grants[code]) for code, (name, scope) in ROLE_DEFINITIONS.items()}
