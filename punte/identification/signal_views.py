"""Staff pages for signals: the list, recording one, opening one and moving it on."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from punte.accounts.selectors import organisation_list_visible_to
from punte.core.api_support import paginate_by_cursor
from punte.core.errors import ServiceError
from punte.core.models import County
from punte.identification import signal_selectors as selectors
from punte.identification import signal_services as services
from punte.identification.exploitation import ExploitationForm
from punte.identification.models_signal import (
    SIGNAL_TRANSITIONS,
    SignalChannel,
    SignalCloseReason,
    SignalStatus,
)
from punte.identification.selectors import person_get_for_view

STAFF_CHANNELS = [(v, label) for v, label in SignalChannel.choices if v != "public_report"]


class SignalForm(forms.Form):
    channel = forms.ChoiceField(label=gettext_lazy("Channel"), choices=STAFF_CHANNELS)
    description = forms.CharField(
        label=gettext_lazy("What was seen"),
        max_length=services.MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    exploitation_forms = forms.MultipleChoiceField(
        label=gettext_lazy("Suspected forms of exploitation"),
        choices=ExploitationForm.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    county = forms.ChoiceField(label=gettext_lazy("County"), required=False)
    locality = forms.CharField(
        label=gettext_lazy("Locality"), max_length=services.MAX_LOCALITY, required=False
    )
    observed_on = forms.DateField(
        label=gettext_lazy("Observed on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    people_description = forms.CharField(
        label=gettext_lazy("People concerned (not yet recorded)"),
        help_text=gettext_lazy("One person per line, e.g. 'girl, about 15, speaks Ukrainian'."),
        required=False,
        max_length=services.MAX_PERSON_DESCRIPTION * 5,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].choices = [("", "—")] + [
            (c.code, c.name) for c in County.objects.order_by("name")
        ]


class TriageForm(forms.Form):
    to = forms.ChoiceField(label=gettext_lazy("Next step"), choices=SignalStatus.choices)
    close_reason = forms.ChoiceField(
        label=gettext_lazy("Reason for closing"),
        choices=[("", "—"), *SignalCloseReason.choices],
        required=False,
    )
    assign_to = forms.ChoiceField(label=gettext_lazy("Assign to"), required=False)
    duplicate_of = forms.CharField(
        label=gettext_lazy("Duplicate of (signal id)"), required=False, max_length=36
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=services.MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, actor, signal, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = SIGNAL_TRANSITIONS[signal.status]
        self.fields["to"].choices = [
            (v, label) for v, label in SignalStatus.choices if v in allowed
        ]
        self.fields["assign_to"].choices = [("", "—")] + [
            (str(o.pk), o.name)
            for o in organisation_list_visible_to(actor=actor).filter(is_active=True)
            if o.pk != signal.responsible_organisation_id
        ]


class PersonDescriptionForm(forms.Form):
    description = forms.CharField(
        label=gettext_lazy("Describe another person concerned"),
        max_length=services.MAX_PERSON_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _actor(request, permission: str):
    if request.membership is None or not request.membership.has_perm(permission):
        raise PermissionDenied
    return request.membership


def signal_list(request):
    actor = _actor(request, "signal.view")
    status = request.GET.get("status", "")
    signals = selectors.signal_list_visible_to(actor=actor).select_related("county")
    if status in SignalStatus.values:
        signals = signals.filter(status=status)
    try:
        rows, next_cursor = paginate_by_cursor(signals, cursor=request.GET.get("cursor"), limit=50)
    except ServiceError:
        rows, next_cursor = [], None
    worklist = list(selectors.signal_worklist_for(actor=actor).select_related("county")[:50])
    context = {
        "signals": rows,
        "next_cursor": next_cursor,
        "worklist": worklist,
        "status": status,
        "statuses": SignalStatus.choices,
        "can_create": actor.has_perm("signal.create"),
    }
    template = (
        "identification/_signal_rows.html"
        if request.headers.get("HX-Request")
        else "identification/signal_list.html"
    )
    return render(request, template, context)


def signal_create(request):
    actor = _actor(request, "signal.create")
    # From a person's record ("record a signal about this person"): opening it is audited.
    about = request.GET.get("person")
    person = person_get_for_view(actor=actor, person_id=about) if about else None
    form = SignalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        people = [services.SignalPersonInput(person_id=person.pk)] if person else []
        people += [
            services.SignalPersonInput(description=line.strip())
            for line in data["people_description"].splitlines()
            if line.strip()
        ]
        try:
            signal = services.signal_create(
                actor=actor,
                data=services.SignalInput(
                    channel=data["channel"],
                    description=data["description"],
                    county=data["county"] or None,
                    locality=data["locality"],
                    observed_on=data["observed_on"],
                    exploitation_forms=data["exploitation_forms"],
                    people=people,
                ),
            )
        except ServiceError as exc:
            field = exc.field.split(".")[0] if exc.field else None
            field = "people_description" if field == "people" else field
            form.add_error(field if field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The signal was recorded."))
            return redirect("signals:detail", signal_id=signal.pk)
    return render(request, "identification/signal_form.html", {"form": form, "person": person})


def signal_detail(request, signal_id, triage_form=None, person_form=None):
    actor = _actor(request, "signal.view")
    signal = selectors.signal_get_for_view(actor=actor, signal_id=signal_id)
    can_triage = (
        actor.has_perm("signal.triage")
        and selectors.signal_list_visible_to(actor=actor, permission="signal.triage")
        .filter(pk=signal.pk)
        .exists()
    )
    context = {
        "signal": signal,
        "people": selectors.signal_people_for(actor=actor, signal=signal),
        "transitions": selectors.signal_transitions_for(signal=signal),
        "forms": [ExploitationForm(f).label for f in signal.exploitation_forms],
        "triage_form": triage_form
        or (TriageForm(actor=actor, signal=signal) if can_triage else None),
        "person_form": person_form or (PersonDescriptionForm() if can_triage else None),
    }
    return render(
        request,
        "identification/signal_detail.html",
        context,
        status=400 if triage_form is not None or person_form is not None else 200,
    )


@require_POST
def signal_triage(request, signal_id):
    actor = _actor(request, "signal.view")
    signal = selectors.signal_get_for_view(actor=actor, signal_id=signal_id)
    form = TriageForm(request.POST, actor=actor, signal=signal)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.signal_transition(
                actor=actor,
                signal_id=signal.pk,
                to=data["to"],
                close_reason=data["close_reason"] or None,
                assign_to=data["assign_to"] or None,
                duplicate_of=data["duplicate_of"] or None,
                note=data["note"],
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The signal was moved on."))
            return redirect("signals:detail", signal_id=signal.pk)
    return signal_detail(request, signal_id, triage_form=form)


@require_POST
def signal_add_person(request, signal_id):
    actor = _actor(request, "signal.view")
    signal = selectors.signal_get_for_view(actor=actor, signal_id=signal_id)
    form = PersonDescriptionForm(request.POST)
    if form.is_valid():
        try:
            services.signal_add_person(
                actor=actor,
                signal_id=signal.pk,
                entry=services.SignalPersonInput(description=form.cleaned_data["description"]),
            )
        except ServiceError as exc:
            form.add_error("description" if exc.field else None, exc.message)
        else:
            messages.success(request, _("The person was added to the signal."))
            return redirect("signals:detail", signal_id=signal.pk)
    return signal_detail(request, signal_id, person_form=form)
