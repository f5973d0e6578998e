"""Audit event names of the proceedings app, each with what it means (see punte.core.audit)."""

from django.utils.translation import gettext_lazy as _

EVENTS = {
    "proceeding.recorded": _("A criminal proceeding was linked to an assistance case"),
    "proceeding.viewed": _("A criminal proceeding was opened"),
    "proceeding.stage_changed": _("A criminal proceeding moved to another stage"),
    "proceeding.changed": _("The victim's role, protection or compensation paid was changed"),
    "proceeding.charge_added": _("A charge was added to a criminal proceeding"),
    "offender.recorded": _("A suspect or offender was recorded"),
    "offender.stage_changed": _("A suspect's or offender's stage changed"),
}
