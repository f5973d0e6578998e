"""Permissions of signals and the roles that hold them by default (core.contract)."""

from django.utils.translation import gettext_lazy as _

PERMISSIONS: dict[str, str] = {
    "signal.view": _("See signals (first suspicions) within the role's scope"),
    "signal.create": _("Record a signal"),
    "signal.triage": _(
        "Act on a signal within the role's scope: take it up, assign it, start screening, close "
        "or reopen it"
    ),
}

# The coordinator triages public reports nationally (the regional centres per county).
DEFAULT_GRANTS: dict[str, list[str]] = {
    "national_coordinator": ["signal.view", "signal.triage"],
    "regional_officer": ["signal.view", "signal.create", "signal.triage"],
    "first_responder": ["signal.view", "signal.create", "signal.triage"],
    "police_investigator": ["signal.view", "signal.create", "signal.triage"],
    "prosecutor": ["signal.view", "signal.create", "signal.triage"],
    "child_protection_officer": ["signal.view", "signal.create", "signal.triage"],
    "child_protection_supervisor": ["signal.view", "signal.create", "signal.triage"],
    "helpline_operator": ["signal.view", "signal.create", "signal.triage"],
    "clinician": ["signal.view", "signal.create", "signal.triage"],
    "ngo_caseworker": ["signal.view", "signal.create", "signal.triage"],
    "service_provider": ["signal.view", "signal.create", "signal.triage"],
    "cyber_investigator": ["signal.view", "signal.create", "signal.triage"],
    "unit_supervisor": ["signal.view", "signal.create", "signal.triage"],
}
