"""Permissions of screening, consent and identification decisions, and their default holders.

Recording decisions is also bound to the organisation's type: COMPETENT_AUTHORITY_TYPES in
punte.identification.screening.services.decisions."""

from django.utils.translation import gettext_lazy as _

PERMISSIONS: dict[str, str] = {
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

DEFAULT_GRANTS: dict[str, list[str]] = {
    "national_coordinator": ["screening.view"],
    "regional_officer": ["screening.conduct", "screening.view", "consent.record"],
    "first_responder": ["screening.conduct", "screening.view", "consent.record"],
    "police_investigator": [
        "screening.conduct",
        "screening.view",
        "consent.record",
        "decision.record",
    ],
    "prosecutor": ["screening.view", "decision.record"],
    "child_protection_officer": ["screening.conduct", "screening.view", "consent.record"],
    "child_protection_supervisor": ["screening.conduct", "screening.view", "consent.record"],
    "clinician": ["screening.conduct", "screening.view", "consent.record"],
    "ngo_caseworker": ["screening.conduct", "screening.view", "consent.record"],
}
