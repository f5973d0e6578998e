"""Audit event names of the core app, each with what it means (see punte.core.audit)."""

from django.utils.translation import gettext_lazy as _

EVENTS = {
    "audit.searched": _("The audit trail was searched"),
    "audit.person_access_viewed": _("The report of who accessed a person's record was viewed"),
    "retention.erased": _("A record was erased because its retention period ended"),
    "retention.anonymised": _("A record was anonymised because its retention period ended"),
    "encryption.keys_rotated": _("Encrypted fields were re-encrypted with the current key"),
    "demo.loaded": _("The demo data was loaded"),
}
