"""Audit event names of screening, consent and identification decisions, with their meaning."""

from django.utils.translation import gettext_lazy as _

EVENTS = {
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
