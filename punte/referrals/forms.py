from django import forms
from django.utils.translation import gettext_lazy as _

from punte.accounts.models import Organisation
from punte.core.forms import FieldMessagesMixin
from punte.core.models import County
from punte.referrals.models import ServiceType


class ReasonForm(FieldMessagesMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Seen by both organisations. Write only what the other side needs."),
    )


class OfferingForm(FieldMessagesMixin, forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.filter(is_active=True)
    )
    service = forms.ChoiceField(label=_("Service"), choices=ServiceType.choices)
    county = forms.ModelChoiceField(label=_("County"), queryset=County.objects.all())
    notes = forms.CharField(label=_("Notes"), max_length=500, required=False)


class ArchiveOfferingForm(FieldMessagesMixin, forms.Form):
    reason = forms.CharField(label=_("Why is it withdrawn?"), max_length=500)
