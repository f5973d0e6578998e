"""Forms of the proceedings pages. They collect and shape input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from punte.accounts.models import Organisation, OrganisationType
from punte.core.forms import FieldMessagesMixin
from punte.proceedings.models import (
    AgeGroup,
    OffenderStage,
    Outcome,
    ProtectionMeasure,
    Stage,
    VictimRole,
)
from punte.proceedings.offences import CHOICES as OFFENCES

_SEXES = [
    ("", _("Choose")),
    ("female", _("Female")),
    ("male", _("Male")),
    ("unknown", _("Unknown")),
]


class ProceedingForm(FieldMessagesMixin, forms.Form):
    file_number = forms.CharField(
        label=_("File number"),
        max_length=40,
        help_text=_("As the prosecution writes it, for example 1234/D/P/2026."),
        error_messages={"required": _("Enter the file number.")},
    )
    prosecuting_office = forms.ModelChoiceField(
        label=_("Prosecuting office"),
        queryset=Organisation.objects.filter(type=OrganisationType.PROSECUTION, is_active=True),
        empty_label=_("Choose the prosecuting office"),
        error_messages={"required": _("Choose the prosecuting office.")},
    )
    victim_role = forms.ChoiceField(
        label=_("The victim's role in the proceedings"),
        choices=[("", _("Choose"))] + list(VictimRole.choices),
        error_messages={"required": _("Choose the victim's role in the proceedings.")},
    )
    protection_measures = forms.MultipleChoiceField(
        label=_("Protection measures (optional)"),
        choices=ProtectionMeasure.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class StageForm(FieldMessagesMixin, forms.Form):
    stage = forms.ChoiceField(
        label=_("Next stage"),
        choices=Stage.choices,
        error_messages={"required": _("Choose the next stage.")},
    )
    outcome = forms.ChoiceField(
        label=_("Outcome (with the final decision)"),
        choices=[("", _("None yet"))] + list(Outcome.choices),
        required=False,
    )
    decided_on = forms.DateField(
        label=_("Date of the decision (with the final decision)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter the date as day, month and year.")},
    )
    sentence_months = forms.IntegerField(
        label=_("Sentence in months (with a conviction, optional)"),
        required=False,
        min_value=0,
        max_value=360,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    compensation_ordered = forms.DecimalField(
        label=_("Compensation ordered, in lei (optional)"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
    )

    def __init__(self, *args, allowed=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [
            (code, label) for code, label in Stage.choices if code in allowed
        ]


class ChargeForm(FieldMessagesMixin, forms.Form):
    offence = forms.ChoiceField(
        label=_("Offence"),
        choices=[("", _("Choose the offence"))] + list(OFFENCES),
        error_messages={"required": _("Choose the offence.")},
    )


class OffenderForm(FieldMessagesMixin, forms.Form):
    sex = forms.ChoiceField(
        label=_("Sex"), choices=_SEXES, error_messages={"required": _("Choose the sex.")}
    )
    age_group = forms.ChoiceField(
        label=_("Age group"),
        choices=[("", _("Choose"))] + list(AgeGroup.choices),
        error_messages={"required": _("Choose the age group.")},
    )
    citizenship = forms.ChoiceField(
        label=_("Citizenship"), error_messages={"required": _("Choose the citizenship.")}
    )
    name = forms.CharField(label=_("Name (optional)"), required=False, max_length=200)
    stage = forms.ChoiceField(label=_("Stage"), choices=OffenderStage.choices[:2])

    def __init__(self, *args, countries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["citizenship"].choices = [("", _("Choose"))] + list(countries)
