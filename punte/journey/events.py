"""Audit event names of the journey app, each with what it means (see punte.core.audit)."""

from django.utils.translation import gettext_lazy as _

EVENTS = {
    "person.journey_viewed": _("A person's journey across organisations was viewed"),
}
