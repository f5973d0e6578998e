"""Forms of the hearing pages. They collect and shape input; the services decide."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from punte.core.forms import FieldMessagesMixin
from punte.core.models import County
from punte.hearings.models import (
    CancellationReason,
    Equipment,
    HearingPurpose,
    HearingRoom,
    ParticipantRole,
)

DURATIONS = [
    (30, _("30 minutes")),
    (45, _("45 minutes")),
    (60, _("1 hour")),
    (90, _("1 hour 30 minutes")),
    (120, _("2 hours")),
    (180, _("3 hours")),
    (240, _("4 hours")),
]


def _counties():
    return [("", _("Any county"))] + [(c.code, c.name) for c in County.objects.order_by("name")]


class RoomFilterForm(FieldMessagesMixin, forms.Form):
    county = forms.ChoiceField(label=_("County"), required=False)
    equipment = forms.MultipleChoiceField(
        label=_("Equipment needed"),
        choices=Equipment.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].choices = _counties()


class SlotForm(RoomFilterForm):
    duration = forms.TypedChoiceField(
        label=_("Duration"), choices=DURATIONS, coerce=int, initial=60
    )

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].required = True
        self.fields["county"].choices = _counties()[1:]
        self.fields["county"].error_messages["required"] = _("Choose the county.")
        self.fields["participants"] = forms.MultipleChoiceField(
            label=_("Who must be free"),
            choices=[(str(m.pk), label) for m, label, _role in candidates],
            required=False,
            widget=forms.CheckboxSelectMultiple,
            help_text=_("The slot is one when the room and each of them are free."),
        )


class BookingForm(FieldMessagesMixin, forms.Form):
    """The hearing's room, time and purpose; participants are fields added per candidate."""

    room = forms.ModelChoiceField(
        label=_("Hearing room"),
        queryset=HearingRoom.objects.none(),
        empty_label=_("Choose a room"),
        error_messages={"required": _("Choose a hearing room.")},
    )
    day = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": _("Enter the date of the hearing."),
            "invalid": _("Enter the date as day, month and year."),
        },
    )
    start = forms.TimeField(
        label=_("Start time"),
        widget=forms.TimeInput(attrs={"type": "time", "step": 900}),
        error_messages={
            "required": _("Enter the start time."),
            "invalid": _("Enter the start time as hours and minutes, e.g. 10:30."),
        },
    )
    duration = forms.TypedChoiceField(
        label=_("Duration"), choices=DURATIONS, coerce=int, initial=60
    )
    purpose = forms.ChoiceField(
        label=_("Purpose"),
        choices=[("", _("Choose the purpose"))] + list(HearingPurpose.choices),
        error_messages={"required": _("Choose the purpose of the hearing.")},
    )
    notes = forms.CharField(
        label=_("Practical arrangements (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Seen in Punte only, never in the invitations."),
    )

    def __init__(self, *args, rooms, candidates=(), with_purpose=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = rooms
        self.fields["room"].label_from_instance = lambda room: f"{room.name} ({room.county.name})"
        if not with_purpose:
            del self.fields["purpose"]
            del self.fields["notes"]
        self.candidates = []
        for member, label, role in candidates:
            take = f"take_{member.pk}"
            as_role = f"role_{member.pk}"
            self.fields[take] = forms.BooleanField(label=label, required=False)
            self.fields[as_role] = forms.ChoiceField(
                label=_("Role of %(name)s") % {"name": label},
                choices=ParticipantRole.choices,
                initial=role,
                # Asked only of those chosen (clean).
                required=False,
            )
            self.candidates.append((member, self[take], self[as_role]))

    def clean(self):
        cleaned = super().clean()
        for _member, take, role in self.candidates:
            if cleaned.get(take.name) and not cleaned.get(role.name):
                self.add_error(
                    role.name,
                    _("Choose the role of %(name)s at the hearing.") % {"name": take.label},
                )
        return cleaned

    def times(self) -> tuple[datetime.datetime, datetime.datetime]:
        zone = ZoneInfo(settings.TIME_ZONE)
        start = datetime.datetime.combine(
            self.cleaned_data["day"], self.cleaned_data["start"], tzinfo=zone
        )
        return start, start + datetime.timedelta(minutes=self.cleaned_data["duration"])

    def chosen(self) -> list[tuple[str, str]]:
        return [
            (str(member.pk), self.cleaned_data[f"role_{member.pk}"])
            for member, _take, _role in self.candidates
            if self.cleaned_data.get(f"take_{member.pk}")
        ]


class CancelForm(FieldMessagesMixin, forms.Form):
    reason = forms.ChoiceField(
        label=_("Why is the hearing cancelled?"),
        choices=CancellationReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose why the hearing is cancelled.")},
    )
