"""Forms of the screening, consent and decision pages: they check shapes; services check rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from punte.core.forms import FieldMessagesMixin
from punte.identification.screening.models import (
    ConsentDecision,
    ConsentPurpose,
    DecisionOutcome,
    DraftReason,
    RightsLanguage,
    ScreeningKind,
)
from punte.identification.signals.models import ExploitationForm

_DATE = forms.DateInput(attrs={"type": "date"})


class ScreeningStartForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of screening"), choices=ScreeningKind.choices, widget=forms.RadioSelect
    )
    lists = forms.MultipleChoiceField(
        label=_("Indicator lists (full screening)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Choose every list that may fit; an indication found in two lists counts once."
        ),
    )

    def __init__(self, *args, list_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lists"].choices = list_choices


class SuspendForm(FieldMessagesMixin, forms.Form):
    reason = forms.ChoiceField(
        label=_("Why does the screening stop here?"), choices=DraftReason.choices
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("E.g. the language an interpreter is needed for."),
    )


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Consent to"), choices=ConsentPurpose.choices)
    decision = forms.ChoiceField(
        label=_("The person's decision"), choices=ConsentDecision.choices, widget=forms.RadioSelect
    )
    decided_on = forms.DateField(label=_("Date of the decision"), widget=_DATE)
    rights_language = forms.ChoiceField(
        label=_("Rights information given in"), choices=RightsLanguage.choices
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ExploitationFormsField(forms.MultipleChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Forms of exploitation"))
        super().__init__(
            choices=ExploitationForm.choices, widget=forms.CheckboxSelectMultiple, **kwargs
        )


class AnonymousNotificationForm(forms.Form):
    exploitation_forms = ExploitationFormsField()
    notified_on = forms.DateField(label=_("Date"), widget=_DATE)


class DecisionForm(FieldMessagesMixin, forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=DecisionOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select a decision")},
    )
    decided_on = forms.DateField(label=_("Date of the decision"), widget=_DATE)
    grounds = forms.CharField(
        label=_("Grounds"),
        max_length=10000,
        error_messages={"required": _("Enter the grounds for the decision")},
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Stored encrypted; shown only to competent authorities."),
    )
    exploitation_forms = ExploitationFormsField(required=False)


class ReflectionStartForm(FieldMessagesMixin, forms.Form):
    starts_on = forms.DateField(label=_("Start"), widget=_DATE)
    ends_on = forms.DateField(
        label=_("End"), widget=_DATE, help_text=_("At most 90 days including the first day.")
    )


class ReflectionExtendForm(FieldMessagesMixin, forms.Form):
    ends_on = forms.DateField(label=_("New end date"), widget=_DATE)
    reason = forms.CharField(label=_("Reason"), max_length=2000)


class ReflectionTerminateForm(FieldMessagesMixin, forms.Form):
    on = forms.DateField(label=_("Date it ended"), widget=_DATE)
    reason = forms.CharField(label=_("Reason"), max_length=2000)
