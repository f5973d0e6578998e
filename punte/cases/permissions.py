"""Assistance cases (ADR 0031).

`case.manage` is the case manager's: open a case, assess, plan, request services, schedule
follow-ups, build the team, ask for closure or a transfer, reopen. `case.approve_closure` is the
supervisor's: a case closes only on a supervisor's approval in the organisation that owns it.
`case.deliver` is the provider's: answer the services asked of its organisation and record their
delivery. `case.monitor` reads missed follow-ups nationally (the national agency) and receives
their escalation last. The three `case.section.*` permissions open the restricted sections; a
team member also needs a team role that the section admits (SECTION_TEAM_ROLES).
"""

from django.utils.translation import gettext_lazy as _

PERMISSIONS: dict[str, str] = {
    "case.view": _("See the assistance cases of the organisation and of the teams one is on"),
    "case.manage": _(
        "Manage assistance cases: open, assess, plan, request services, follow up, build the "
        "team, ask for closure or transfer, reopen"
    ),
    "case.approve_closure": _(
        "Approve or refuse the closure of the organisation's cases; receive missed follow-ups "
        "(supervisor)"
    ),
    "case.deliver": _("Answer the services asked of the organisation and record their delivery"),
    "case.monitor": _("See missed follow-ups nationally (national agency)"),
    "case.section.psychological": _("Read and write the psychological notes of a case"),
    "case.section.medical": _("Read and write the medical details of a case"),
    "case.section.sexual_history": _("Read and write the sexual history of a case"),
}

# Which team roles may read each restricted section (besides the owner organisation's members
# holding the section's permission): data, as the permissions are.
SECTION_TEAM_ROLES: dict[str, frozenset[str]] = {
    "psychological": frozenset({"psychologist"}),
    "medical": frozenset({"doctor"}),
    "sexual_history": frozenset({"psychologist", "doctor", "prosecutor"}),
}

_MANAGE = ["case.view", "case.manage"]
_SECTIONS = ["case.section.psychological", "case.section.medical", "case.section.sexual_history"]

DEFAULT_GRANTS: dict[str, list[str]] = {
    "national_coordinator": ["case.view", "case.monitor"],
    "regional_officer": [*_MANAGE, "case.section.psychological"],
    "child_protection_officer": [*_MANAGE, "case.section.psychological"],
    "child_protection_supervisor": [*_MANAGE, "case.approve_closure", *_SECTIONS],
    "unit_supervisor": [*_MANAGE, "case.approve_closure", *_SECTIONS],
    "ngo_caseworker": [*_MANAGE, "case.deliver", "case.section.psychological"],
    # Providers include counselling centres and clinics: their psychologists and doctors read
    # the sections of the cases whose team they are on (SECTION_TEAM_ROLES), no other.
    "service_provider": [
        "case.view",
        "case.deliver",
        "case.section.psychological",
        "case.section.medical",
    ],
    "police_investigator": ["case.view"],
    "prosecutor": ["case.view", "case.section.sexual_history"],
    "clinician": ["case.view", "case.section.medical"],
}

# The organisations a team member of each role may come from: a member from an organisation
# with no relation to the role (a "prosecutor" from a shelter) is refused. Data, as above.
_CARE = frozenset(
    {
        "regional_centre",
        "child_protection",
        "ngo",
        "service_provider",
        "hospital",
        "international",
    }
)
TEAM_ROLE_ORGANISATION_TYPES: dict[str, frozenset[str]] = {
    "social_worker": frozenset({"regional_centre", "child_protection", "ngo", "service_provider"}),
    "psychologist": _CARE,
    "prosecutor": frozenset({"prosecution"}),
    "police_investigator": frozenset({"police", "border_police"}),
    "doctor": frozenset({"hospital", "service_provider", "ngo"}),
    "lawyer": frozenset({"ngo", "service_provider", "international"}),
    "interpreter": _CARE | frozenset({"immigration", "consulate"}),
    "guardian": frozenset({"child_protection"}),
}
