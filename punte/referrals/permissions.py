"""Referrals and the service registry (ADR 0023).

`referral.respond` goes to roles of scope "organisation" only: it opens the organisation's inbox,
which "own" scope must not reach. `referral.monitor` (the national list of overdue referrals)
reads nationally, so it goes to roles of scope "all" only. `referral.escalation` marks the
supervisors an overdue referral is escalated to; an organisation without one escalates to its
parent, then to the national agency.
"""

from django.utils.translation import gettext_lazy as _

PERMISSIONS: dict[str, str] = {
    "referral.view": _("See referrals sent or received by the organisation (role's scope)"),
    "referral.send": _("Route a person and send referrals; withdraw the referrals sent"),
    "referral.respond": _("Accept, reject and complete referrals received by the organisation"),
    "referral.escalation": _(
        "Receive the escalation of the organisation's overdue referrals (supervisor)"
    ),
    "referral.monitor": _("See overdue referrals nationally (national agency)"),
    "service.manage": _("Keep the service registry: which organisation offers what, where"),
}

_RESPOND = ["referral.view", "referral.send", "referral.respond"]
_SEND = ["referral.view", "referral.send"]

DEFAULT_GRANTS: dict[str, list[str]] = {
    "system_admin": ["service.manage"],
    "national_coordinator": ["referral.view", "referral.monitor"],
    "regional_officer": _RESPOND,
    "first_responder": _SEND,
    "helpline_operator": _SEND,
    "clinician": _SEND,
    "police_investigator": _RESPOND,
    "prosecutor": _RESPOND,
    "child_protection_officer": _RESPOND,
    "child_protection_supervisor": [*_RESPOND, "referral.escalation"],
    "unit_supervisor": ["referral.escalation", *_RESPOND],
    "ngo_caseworker": _RESPOND,
    "service_provider": _RESPOND,
    "cyber_investigator": _SEND,
}
