"""The pages' forms: they only parse input; the services decide (and name the field refused)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from punte.cases.models import (
    ClosureReason,
    GoalStatus,
    Level,
    NeedArea,
    TeamRole,
    Unit,
)
from punte.core.forms import FieldMessagesMixin


def _date(label, required=True, help_text=""):
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class OpenForm(FieldMessagesMixin, forms.Form):
    referral = forms.ChoiceField(label=_("Accepted referral"))

    def __init__(self, *args, referrals=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referral"].choices = [(str(r.pk), r.label) for r in referrals]


class ClosureRequestForm(FieldMessagesMixin, forms.Form):
    closure_reason = forms.ChoiceField(
        label=_("Reason for closing"), choices=[("", "—"), *ClosureReason.choices]
    )
    note = forms.CharField(
        label=_("Note for the supervisor"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReasonForm(FieldMessagesMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class TransferForm(FieldMessagesMixin, forms.Form):
    to_organisation = forms.ChoiceField(label=_("Organisation to take over the case"))
    reason = forms.CharField(
        label=_("Why it is transferred"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_organisation"].choices = [("", "—")] + [
            (str(o.pk), str(o.name)) for o in organisations
        ]


class TeamMemberForm(FieldMessagesMixin, forms.Form):
    membership = forms.ChoiceField(label=_("Member"))
    role = forms.ChoiceField(label=_("Role on the team"), choices=[("", "—"), *TeamRole.choices])
    starts_on = _date(_("From"))
    ends_on = _date(_("Until"), help_text=_("Access to the case ends after this day."))

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["membership"].choices = [("", "—")] + [
            (str(m.pk), f"{m.user.get_full_name()} — {m.organisation.name}") for m in candidates
        ]


class ServiceRequestForm(FieldMessagesMixin, forms.Form):
    offering = forms.ChoiceField(
        label=_("Service and provider"),
        help_text=_("Providers of the service registry in the case's county."),
    )
    note = forms.CharField(
        label=_("Note for the provider"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, offerings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offering"].choices = [("", "—")] + [
            (
                f"{o.service}:{o.organisation_id}",
                f"{o.get_service_display()} — {o.organisation.name}",
            )
            for o in offerings
        ]


class DeliveryForm(FieldMessagesMixin, forms.Form):
    delivered_from = _date(_("Delivered from"))
    delivered_to = _date(_("Delivered until"), required=False)
    units = forms.DecimalField(label=_("Quantity"), max_digits=10, decimal_places=2)
    unit = forms.ChoiceField(label=_("Unit"), choices=[("", "—"), *Unit.choices])


class FollowUpForm(FieldMessagesMixin, forms.Form):
    due_at = forms.DateTimeField(
        label=_("Due"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    purpose = forms.CharField(label=_("Purpose"), max_length=1000)


class FollowUpDoneForm(FieldMessagesMixin, forms.Form):
    outcome = forms.CharField(
        label=_("Outcome"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class AssessmentForm(FieldMessagesMixin, forms.Form):
    assessed_on = _date(_("Assessed on"))
    retrafficking_risk = forms.ChoiceField(
        label=_("Risk of re-trafficking"), choices=[("", "—"), *Level.choices]
    )
    risk_factors = forms.CharField(
        label=_("Risk factors"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for area, label in NeedArea.choices:
            self.fields[f"{area}_level"] = forms.ChoiceField(
                label=_("%(area)s: level of need") % {"area": label},
                choices=[("", "—"), *Level.choices],
            )
            self.fields[f"{area}_note"] = forms.CharField(
                label=_("%(area)s: note") % {"area": label}, required=False, max_length=2000
            )

    def area_fields(self):
        return [(self[f"{area}_level"], self[f"{area}_note"]) for area in NeedArea.values]

    def needs(self) -> dict:
        data = self.cleaned_data
        return {
            area: {"level": data.get(f"{area}_level"), "note": data.get(f"{area}_note", "")}
            for area in NeedArea.values
        }


class GoalForm(FieldMessagesMixin, forms.Form):
    key = forms.CharField(required=False, widget=forms.HiddenInput)
    area = forms.ChoiceField(
        label=_("Area"), choices=[("", "—"), *NeedArea.choices], required=False
    )
    goal = forms.CharField(label=_("Goal"), max_length=2000, required=False)
    responsible_organisation = forms.ChoiceField(
        label=_("Responsible organisation"), required=False
    )
    starts_on = _date(_("Starts"), required=False)
    due_on = _date(_("Due"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=GoalStatus.choices)

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_organisation"].choices = [("", "—")] + [
            (str(o.pk), o.name) for o in organisations
        ]

    @property
    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not (data.get("goal") or data.get("area") or data.get("key"))


class PlanForm(FieldMessagesMixin, forms.Form):
    review_on = _date(_("Review the plan on"), required=False)
    summary = forms.CharField(
        label=_("What changed"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class NoteForm(FieldMessagesMixin, forms.Form):
    text = forms.CharField(
        label=_("Note"), max_length=8000, widget=forms.Textarea(attrs={"rows": 4})
    )
