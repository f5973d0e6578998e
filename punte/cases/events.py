"""Audit event names of the cases app, each with what it means (see punte.core.audit)."""

from django.utils.translation import gettext_lazy as _

EVENTS = {
    "case.opened": _("An assistance case was opened"),
    "case.viewed": _("An assistance case was opened for reading"),
    "case.closure_requested": _("The closure of an assistance case was requested"),
    "case.closed": _("A supervisor approved the closure of an assistance case"),
    "case.closure_refused": _("A supervisor refused the closure of an assistance case"),
    "case.reopened": _("A closed assistance case was reopened"),
    "case.transfer_requested": _("A case was offered to another case-manager organisation"),
    "case_transfer.accepted": _("The receiving organisation took over a case"),
    "case_transfer.declined": _("The receiving organisation declined a case"),
    "case_transfer.withdrawn": _("The case manager withdrew a transfer"),
    "case.assessed": _("A needs and risk assessment was recorded"),
    "case.plan_saved": _("A new version of the assistance plan was saved"),
    "case_service.requested": _("A service was requested from a provider"),
    "case_service.accepted": _("A provider accepted a service"),
    "case_service.declined": _("A provider declined a service"),
    "case_service.delivered": _("A provider recorded a service as delivered"),
    "case_service.cancelled": _("The case manager cancelled a service"),
    "case_service.viewed": _("A provider opened a service asked of it"),
    "follow_up.scheduled": _("A follow-up was scheduled"),
    "follow_up.done": _("A follow-up was recorded as done"),
    "follow_up.escalated": _("A missed follow-up was escalated to supervisors"),
    "team_member.added": _("A member joined a case's multidisciplinary team"),
    "team_member.ended": _("A team membership was ended"),
    "team_member.lapsed": _("A team membership lapsed at its end date"),
    "case.restricted_written": _("A note was added to a restricted section of a case"),
    "case.restricted_viewed": _("A restricted section of a case was read"),
}
