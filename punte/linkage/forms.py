"""Forms of the review pages: they validate input only; services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from punte.core.forms import AccessibleForm


class DecisionForm(AccessibleForm):
    decision = forms.ChoiceField(
        label=_("Your decision"),
        choices=[
            ("accept", _("The same person: link the two records")),
            ("reject", _("Two different persons: keep the records apart")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether the records are one person or two.")},
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "What in the records decided it. It is kept with the decision, encrypted, and "
            "shown to other analysts."
        ),
        error_messages={"required": _("Give the reason for the decision.")},
    )


class SeparateForm(AccessibleForm):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Why this record is not the same person as the others. The record will be kept "
            "apart from each of them in every later linking run."
        ),
        error_messages={"required": _("Give the reason for separating the record.")},
    )
