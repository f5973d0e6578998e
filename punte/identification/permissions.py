"""Identification's permissions and the roles' defaults (core.contract). Decisions are also
bound to the organisation's type: see punte.identification.decisions.COMPETENT_AUTHORITY_TYPES."""

from django.utils.translation import gettext_lazy as _

PERMISSIONS: dict[str, str] = {
    "person.view": _("Open a person's record within the role's scope"),
    "person.create": _("Record a new person"),
    "person.change": _("Change a person's record within the role's scope"),
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

_FRONTLINE = [
    "person.view",
    "person.create",
    "person.change",
    "signal.view",
    "signal.create",
    "signal.triage",
]
# The identification mechanism (ADR 0022).
_SCREENS = ["screening.conduct", "screening.view", "consent.record"]

DEFAULT_GRANTS: dict[str, list[str]] = {
    # The coordinator triages public reports nationally (the regional centres per county).
    "national_coordinator": ["person.view", "signal.view", "signal.triage", "screening.view"],
    "regional_officer": [*_FRONTLINE, *_SCREENS],
    "first_responder": [*_FRONTLINE, *_SCREENS],
    "police_investigator": [*_FRONTLINE, *_SCREENS, "decision.record"],
    "prosecutor": [*_FRONTLINE, "screening.view", "decision.record"],
    "child_protection_officer": [*_FRONTLINE, *_SCREENS],
    "child_protection_supervisor": [*_FRONTLINE, *_SCREENS],
    "helpline_operator": _FRONTLINE,
    "clinician": [*_FRONTLINE, *_SCREENS],
    "ngo_caseworker": [*_FRONTLINE, *_SCREENS],
    "service_provider": _FRONTLINE,
    "cyber_investigator": _FRONTLINE,
    "unit_supervisor": _FRONTLINE,
}
