"""Audit event names of the documents app, each with what it means (see punte.core.audit)."""

from django.utils.translation import gettext_lazy as _

EVENTS = {
    "case_document.uploaded": _("A file was attached to an assistance case"),
    "case_document.downloaded": _("A file of an assistance case was downloaded"),
}
