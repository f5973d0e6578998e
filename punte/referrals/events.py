"""Audit event names of the referrals app, each with what it means (see punte.core.audit)."""

from django.utils.translation import gettext_lazy as _

EVENTS = {
    "referral.sent": _("A referral was sent to an organisation"),
    "referral.unresolved": _(
        "A mandatory referral found no organisation; the national agency was told"
    ),
    "referral.accepted": _("A referral was accepted by the receiving organisation"),
    "referral.rejected": _("A referral was rejected by the receiving organisation"),
    "referral.completed": _("A referral's service was completed"),
    "referral.withdrawn": _("A referral was withdrawn by the sending organisation"),
    "referral.escalated": _("An overdue referral was escalated to supervisors"),
    "referral.viewed": _("A referral was opened"),
    "routing_rules.loaded": _("A version of the routing rules was loaded"),
    "service_offering.created": _("A service was added to the registry"),
    "service_offering.archived": _("A service was removed from the registry"),
}
