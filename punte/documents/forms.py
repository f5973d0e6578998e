from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from punte.core.forms import FieldMessagesMixin
from punte.documents.models import DocumentKind


class DocumentForm(FieldMessagesMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of document"),
        choices=[("", _("Choose"))] + list(DocumentKind.choices),
        error_messages={"required": _("Choose what kind of document this is.")},
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("What the document is, e.g. 'Forensic medical certificate, March 2026'."),
        error_messages={"required": _("Enter a title that says what the document is.")},
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("A PDF, JPEG or PNG of at most 20 MB."),
        error_messages={
            "required": _("Choose the file to attach."),
            "empty": _("The file is empty."),
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )
