"""Permissions of persons and the roles that hold them by default (core.contract)."""

from django.utils.translation import gettext_lazy as _

PERMISSIONS: dict[str, str] = {
    "person.view": _("Open a person's record within the role's scope"),
    "person.create": _("Record a new person"),
    "person.change": _("Change a person's record within the role's scope"),
}

DEFAULT_GRANTS: dict[str, list[str]] = {
    "national_coordinator": ["person.view"],
    "regional_officer": ["person.view", "person.create", "person.change"],
    "first_responder": ["person.view", "person.create", "person.change"],
    "police_investigator": ["person.view", "person.create", "person.change"],
    "prosecutor": ["person.view", "person.create", "person.change"],
    "child_protection_officer": ["person.view", "person.create", "person.change"],
    "child_protection_supervisor": ["person.view", "person.create", "person.change"],
    "helpline_operator": ["person.view", "person.create", "person.change"],
    "clinician": ["person.view", "person.create", "person.change"],
    "ngo_caseworker": ["person.view", "person.create", "person.change"],
    "service_provider": ["person.view", "person.create", "person.change"],
    "cyber_investigator": ["person.view", "person.create", "person.change"],
    "unit_supervisor": ["person.view", "person.create", "person.change"],
}
