"""Audit event names of identification (persons, signals, screening), each with what it means
(see punte.core.audit)."""

from django.utils.translation import gettext_lazy as _

EVENTS = {
    # Persons and who may see them.
    "person.created": _("A person's record was created"),
    "person.changed": _("A person's record was changed"),
    "person.viewed": _("A person's record was opened"),
    "person.searched": _("Persons were searched for"),
    "person.access_granted": _("An organisation was given access to a person's record"),
    "person.access_revoked": _("An organisation's access to a person's record was taken away"),
    # Signals and the public report.
    "signal.created": _("A signal was recorded"),
    "signal.reported_publicly": _("A signal came in through the public report form"),
    "signal.person_linked": _("A signal was linked to a person"),
    "signal.person_described": _("A person was described in a signal"),
    "signal.transitioned": _("A signal moved to another state"),
    "signal.viewed": _("A signal was opened"),
    # Screening, consent and identification decisions.
    "indicator_catalogue.loaded": _("A version of the screening indicator catalogue was loaded"),
    "screening.started": _("A screening was started"),
    "screening.answered": _("Answers of a screening were saved"),
    "screening.suspended": _("A screening was stopped, with a reason"),
    "screening.completed": _("A screening was completed and its result stored"),
    "screening.viewed": _("A screening was opened"),
    "consent.recorded": _("A person's consent decision was recorded"),
    "anonymous_notification.recorded": _("A presumed victim was counted anonymously"),
    "decision.recorded": _("An identification decision was recorded"),
    "reflection_period.started": _("A recovery and reflection period was started"),
    "reflection_period.extended": _("A recovery and reflection period was extended"),
    "reflection_period.terminated": _("A recovery and reflection period was ended early"),
    "reflection_period.reminded": _("The competent authority was reminded a period is ending"),
}
