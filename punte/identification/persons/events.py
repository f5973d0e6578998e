"""Audit event names of persons and who may see them and their meaning (punte.core.audit)."""

from django.utils.translation import gettext_lazy as _

EVENTS = {
    "person.created": _("A person's record was created"),
    "person.changed": _("A person's record was changed"),
    "person.viewed": _("A person's record was opened"),
    "person.searched": _("Persons were searched for"),
    "person.access_granted": _("An organisation was given access to a person's record"),
    "person.access_revoked": _("An organisation's access to a person's record was taken away"),
}
