"""Forms of the audit pages: they validate input only; the reading is done by the selectors."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from punte.auditing.selectors import AuditFilters
from punte.core.forms import AccessibleForm


class PersonAccessForm(AccessibleForm):
    person = forms.UUIDField(
        label=_("Person's record id"),
        help_text=_(
            "The record's id (a UUID such as 1b4e28ba-2fa1-11d2-883f-0016d3cca427), never a name."
        ),
        error_messages={"invalid": _("Enter a record id in the form of a UUID.")},
    )


class AuditSearchForm(AccessibleForm):
    actor = forms.CharField(
        label=_("User name"),
        required=False,
        max_length=150,
        help_text=_("The exact user name of the person who acted."),
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=None,
        required=False,
        empty_label=_("Any organisation"),
    )
    action = forms.CharField(
        label=_("Action"),
        required=False,
        max_length=65,
        help_text=_("For example person.viewed. End with * to match a prefix: person.*"),
    )
    subject = forms.CharField(
        label=_("Subject id"),
        required=False,
        max_length=64,
        help_text=_("The id of the record the action was on."),
    )
    person = forms.UUIDField(
        label=_("Person's record id"),
        required=False,
        error_messages={"invalid": _("Enter a record id in the form of a UUID.")},
    )
    date_from = forms.DateField(
        label=_("From (date)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To (date, inclusive)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def filters(self) -> AuditFilters:
        """Dates are whole days in the local time zone, the end day included."""
        data = self.cleaned_data
        tz = timezone.get_current_timezone()

        def midnight(day: datetime.date) -> datetime.datetime:
            return datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)

        organisation = data.get("organisation")
        return AuditFilters(
            actor_username=data.get("actor") or "",
            organisation_id=organisation.pk if organisation else None,
            action=data.get("action") or "",
            subject_id=data.get("subject") or "",
            person_id=data.get("person"),
            occurred_from=midnight(data["date_from"]) if data.get("date_from") else None,
            occurred_before=(
                midnight(data["date_to"] + datetime.timedelta(days=1))
                if data.get("date_to") and data["date_to"] < datetime.date.max
                else None
            ),
        )
