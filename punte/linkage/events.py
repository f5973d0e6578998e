"""Audit event names of record linkage, each with what it means (see punte.core.audit)."""

from django.utils.translation import gettext_lazy as _

EVENTS = {
    "linkage.model_stored": _("A trained linkage model was stored"),
    "linkage.relinked": _("Every person was linked again"),
    "linkage.person_linked": _("A person was linked to a national person"),
    "linkage.record_detached": _("A changed person was detached from its national person"),
    "linkage.record_separated": _("An analyst separated a record from its national person"),
    "linkage.pair_decided": _("An analyst decided whether two records are the same person"),
    "linkage.national_persons_merged": _("Two national persons were merged"),
    "linkage.encoded_file_linked": _("An encoded file was linked with Punte's persons"),
}
