"""Audit event names of signals and the public report and their meaning (punte.core.audit)."""

from django.utils.translation import gettext_lazy as _

EVENTS = {
    "signal.created": _("A signal was recorded"),
    "signal.reported_publicly": _("A signal came in through the public report form"),
    "signal.person_linked": _("A signal was linked to a person"),
    "signal.person_described": _("A person was described in a signal"),
    "signal.transitioned": _("A signal moved to another state"),
    "signal.viewed": _("A signal was opened"),
}
