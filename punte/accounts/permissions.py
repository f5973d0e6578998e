"""The catalogue of permissions and the roles that hold them: data, in one place.

The tables Role and RolePermission are seeded from ROLES by `seed_roles` (run by migrate and by
load_demo); the national agency's administrator may then adjust a role's permissions in the web UI.
Checks always read the tables, never this module.
"""

from django.utils.translation import gettext_lazy as _

PERMISSIONS: dict[str, str] = {
    "organisation.view": _("See the registry of organisations"),
    "organisation.manage": _("Create and change organisations"),
    "user.manage": _("Create, change and deactivate users and their memberships"),
    "role.manage": _("Change which permissions each role holds"),
    "person.view": _("Open a person's record within the role's scope"),
    "person.create": _("Record a new person"),
    "person.change": _("Change a person's record within the role's scope"),
    "audit.view_person_access": _("See who accessed a person's data (data protection officer)"),
    "audit.search": _("Search the audit trail"),
    "audit.verify": _("Verify the integrity of the audit trail"),
    "linkage.review": _(
        "Review proposed record links nationally: see both records of a pair, accept or reject "
        "it, separate a record from its national person"
    ),
    "linkage.run": _("Start a relinking of every person record"),
    "signal.view": _("See signals (first suspicions) within the role's scope"),
    "signal.create": _("Record a signal"),
    "signal.triage": _(
        "Act on a signal within the role's scope: take it up, assign it, start screening, close "
        "or reopen it"
    ),
    "screening.conduct": _(
        "Screen a person with the indicator catalogue or the short screen; resume the "
        "organisation's drafts"
    ),
    "screening.view": _("See the screenings and their results of persons within the role's scope"),
    "consent.record": _(
        "Inform an adult of their rights and record their consent, refusal or withdrawal; "
        "record an anonymous notification"
    ),
    "decision.record": _(
        "Record identification decisions and recovery and reflection periods (competent "
        "authorities only)"
    ),
}


class Scope:
    """How far a role's record permissions reach (after Primero's record scopes)."""

    ALL = "all"
    ORGANISATION = "organisation"
    OWN = "own"


_SIGNALS = ["signal.view", "signal.create", "signal.triage"]
_FRONTLINE = ["organisation.view", "person.view", "person.create", "person.change", *_SIGNALS]

# The administration permissions act nationally, whatever the role's scope: organisation.manage,
# user.manage and role.manage are duties of the national agency's administrator, who keeps the
# registry of every organisation and the accounts of every user in the country. The scope of a
# role ("organisation" for system_admin) limits only record permissions (persons, cases, ...), so
# the administrator does not see victims' records of the agency's partners. Granting one of these
# three permissions to another role therefore grants national reach; the role matrix page warns.
# code: (name, scope, permissions)
ROLES: dict[str, tuple[str, str, list[str]]] = {
    "system_admin": (
        _("Administrator (national agency)"),
        Scope.ORGANISATION,
        ["organisation.view", "organisation.manage", "user.manage", "role.manage", "audit.verify"],
    ),
    "national_coordinator": (
        _("National coordinator"),
        Scope.ALL,
        # The coordinator triages public reports nationally (the regional centres per county).
        ["organisation.view", "person.view", "signal.view", "signal.triage"],
    ),
    "regional_officer": (_("Regional centre officer"), Scope.ORGANISATION, _FRONTLINE),
    "first_responder": (_("First responder"), Scope.OWN, _FRONTLINE),
    "police_investigator": (_("Police investigator"), Scope.ORGANISATION, _FRONTLINE),
    "prosecutor": (_("Prosecutor"), Scope.ORGANISATION, _FRONTLINE),
    "child_protection_officer": (_("Child protection officer"), Scope.ORGANISATION, _FRONTLINE),
    "child_protection_supervisor": (
        _("Child protection supervisor"),
        Scope.ORGANISATION,
        _FRONTLINE,
    ),
    "helpline_operator": (_("119 helpline operator"), Scope.OWN, _FRONTLINE),
    "clinician": (_("Emergency physician"), Scope.OWN, _FRONTLINE),
    "ngo_caseworker": (_("NGO caseworker"), Scope.ORGANISATION, _FRONTLINE),
    "service_provider": (_("Service provider"), Scope.ORGANISATION, _FRONTLINE),
    "fund_commission_member": (
        _("Emergency fund commission member"),
        Scope.OWN,
        ["organisation.view"],
    ),
    "cyber_investigator": (_("Cyber investigator"), Scope.ORGANISATION, _FRONTLINE),
    "alert_issuer": (_("Missing-child alert issuer"), Scope.OWN, ["organisation.view"]),
    "evaluator": (_("Independent evaluator"), Scope.OWN, ["organisation.view"]),
    "data_protection_officer": (
        _("Data protection officer"),
        Scope.OWN,
        ["organisation.view", "audit.view_person_access", "audit.search", "audit.verify"],
    ),
    "auditor": (_("Auditor"), Scope.OWN, ["organisation.view", "audit.search", "audit.verify"]),
    # Record linkage is national by nature: a pair joins records of any two organisations.
    # The analyst sees persons only through the review queue (each view is audited), not the
    # registry of persons (no person.view).
    "data_analyst": (
        _("Data analyst (national agency)"),
        Scope.ALL,
        ["organisation.view", "linkage.review", "linkage.run"],
    ),
}

# The identification mechanism (ADR 0022), added to the roles above. Decisions are also bound to
# the organisation's type: see COMPETENT_AUTHORITY_TYPES in
# punte.identification.screening.services.decisions.
_SCREENS = ["screening.conduct", "screening.view", "consent.record"]
_MECHANISM: dict[str, list[str]] = {
    "national_coordinator": ["screening.view"],
    "regional_officer": _SCREENS,
    "first_responder": _SCREENS,
    "clinician": _SCREENS,
    "ngo_caseworker": _SCREENS,
    "child_protection_officer": _SCREENS,
    "child_protection_supervisor": _SCREENS,
    "police_investigator": [*_SCREENS, "decision.record"],
    "prosecutor": ["screening.view", "decision.record"],
}
for _code, _extra in _MECHANISM.items():
    _name, _scope, _permissions = ROLES[_code]
    ROLES[_code] = (_name, _scope, [*_permissions, *_extra])

# The national agency's dashboard (ADR 0025): aggregate figures for the whole country, for the
# agency's people (coordinator, regional centres' officers, data analysts). Nobody outside the
# agency holds it by default: its small counts may not leave the agency.
PERMISSIONS["dashboard.national"] = _(
    "See the national dashboard: aggregate figures for the whole country and overdue referrals"
)
for _code in ["national_coordinator", "regional_officer", "data_analyst"]:
    _name, _scope, _permissions = ROLES[_code]
    ROLES[_code] = (_name, _scope, [*_permissions, "dashboard.national"])

# Referrals and the service registry (ADR 0023). `referral.respond` goes to roles of scope
# "organisation" only: it opens the organisation's inbox, which "own" scope must not reach.
# `referral.monitor` (the national list of overdue referrals) reads nationally, so it goes to
# roles of scope "all" only. `referral.escalation` marks the supervisors an overdue referral is
# escalated to; an organisation without one escalates to its parent, then to the national agency.
PERMISSIONS.update(
    {
        "referral.view": _("See referrals sent or received by the organisation (role's scope)"),
        "referral.send": _("Route a person and send referrals; withdraw the referrals sent"),
        "referral.respond": _("Accept, reject and complete referrals received by the organisation"),
        "referral.escalation": _(
            "Receive the escalation of the organisation's overdue referrals (supervisor)"
        ),
        "referral.monitor": _("See overdue referrals nationally (national agency)"),
        "service.manage": _("Keep the service registry: which organisation offers what, where"),
    }
)
ROLES["unit_supervisor"] = (
    _("Head of unit (supervisor)"),
    Scope.ORGANISATION,
    [*_FRONTLINE, "referral.escalation"],
)
_RESPOND = ["referral.view", "referral.send", "referral.respond"]
_REFERRALS: dict[str, list[str]] = {
    "system_admin": ["service.manage"],
    "national_coordinator": ["referral.view", "referral.monitor"],
    "regional_officer": _RESPOND,
    "first_responder": ["referral.view", "referral.send"],
    "helpline_operator": ["referral.view", "referral.send"],
    "clinician": ["referral.view", "referral.send"],
    "police_investigator": _RESPOND,
    "prosecutor": _RESPOND,
    "child_protection_officer": _RESPOND,
    "child_protection_supervisor": [*_RESPOND, "referral.escalation"],
    "unit_supervisor": _RESPOND,
    "ngo_caseworker": _RESPOND,
    "service_provider": _RESPOND,
    "cyber_investigator": ["referral.view", "referral.send"],
}
for _code, _extra in _REFERRALS.items():
    _name, _scope, _permissions = ROLES[_code]
    ROLES[_code] = (_name, _scope, [*_permissions, *_extra])
