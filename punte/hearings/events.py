"""Audit event names of the hearings app, each with what it means (see punte.core.audit)."""

from django.utils.translation import gettext_lazy as _

EVENTS = {
    "hearing_room.created": _("A hearing room was added to the registry"),
    "hearing_room.changed": _("A hearing room's details or opening hours were changed"),
    "hearing.booked": _("A hearing room was booked for a child's hearing"),
    "hearing.rescheduled": _(
        "A hearing was moved to another time or room, or its participants changed"
    ),
    "hearing.cancelled": _("A hearing was cancelled"),
    "hearing.viewed": _("A hearing's details were opened"),
}
