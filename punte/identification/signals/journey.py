"""What signals contribute to worklists and to a person's journey (ADR 0025).

Worklist rows come from this part's selectors, which scope them by the acting membership; the
journey's steps are read for one person whom the viewer may already open, and what the viewer
is shown of each step is decided by punte.journey.timeline, not here.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from punte.core.worklist import JourneyEntry, JourneySource, WorkItem, WorklistSection
from punte.identification.persons.models import Person
from punte.identification.signals.models import (
    ExploitationForm,
    Signal,
    SignalPerson,
    SignalTransition,
)
from punte.identification.signals.selectors import signal_worklist_for

_FORMS = dict(ExploitationForm.choices)


def _forms(codes) -> str:
    return ", ".join(str(_FORMS.get(code, code)) for code in codes or []) or "—"


def _signal_item(signal: Signal) -> WorkItem:
    county = signal.county.name if signal.county_id else _("county not recorded")
    return WorkItem(
        id=str(signal.pk),
        kind="signal",
        label=_("Signal %(ref)s · %(channel)s · %(county)s")
        % {"ref": signal.reference, "channel": signal.get_channel_display(), "county": county},
        url=reverse("signals:detail", args=[signal.pk]),
        occurred_at=signal.created_at,
        status=signal.get_status_display(),
    )


WORKLIST_SECTIONS = [
    WorklistSection(
        key="signals.open",
        title=_("Open signals"),
        permission="signal.triage",
        empty_text=_(
            "No signal waits for you. When you learn of a suspicion, record a signal from the "
            "Signals page."
        ),
        rows=lambda actor: signal_worklist_for(actor=actor).select_related("county"),
        item=_signal_item,
        order=10,
        ascending=True,
    ),
]


def _signal_parties(signal: Signal) -> frozenset:
    return frozenset(
        pk for pk in (signal.recording_organisation_id, signal.responsible_organisation_id) if pk
    )


def _signal_steps(person: Person) -> list[JourneyEntry]:
    signal_ids = SignalPerson.objects.filter(person=person).values("signal_id")
    signals = {
        s.pk: s
        for s in Signal.objects.filter(pk__in=signal_ids).select_related(
            "recording_organisation", "responsible_organisation", "county"
        )
    }
    steps = []
    for signal in signals.values():
        parties = _signal_parties(signal)
        steps.append(
            JourneyEntry(
                occurred_at=signal.created_at,
                kind="signal.recorded",
                title=_("Signal recorded (%(channel)s)")
                % {"channel": signal.get_channel_display()},
                organisation=signal.recording_organisation or signal.responsible_organisation,
                parties=parties,
                status=signal.get_status_display(),
                happened_on=signal.observed_on,
                details=(
                    (_("Reference"), signal.reference),
                    (_("County"), signal.county.name if signal.county_id else "—"),
                    (_("Forms of exploitation"), _forms(signal.exploitation_forms)),
                ),
                url=reverse("signals:detail", args=[signal.pk]),
            )
        )
    transitions = SignalTransition.objects.filter(
        signal_id__in=signals, organisation__isnull=False
    ).select_related("organisation", "assigned_to")
    for step in transitions:
        if not step.from_status:
            continue  # the recording itself, shown above
        signal = signals[step.signal_id]
        details = []
        if step.assigned_to_id:
            details.append((_("Assigned to"), step.assigned_to.name))
        if step.close_reason:
            details.append((_("Reason"), step.get_close_reason_display()))
        steps.append(
            JourneyEntry(
                occurred_at=step.occurred_at,
                kind="signal.transition",
                title=_("Signal: %(status)s") % {"status": step.get_to_status_display()},
                organisation=step.organisation,
                parties=_signal_parties(signal) | {step.assigned_to_id} - {None},
                status=step.get_to_status_display(),
                details=tuple(details),
                url=reverse("signals:detail", args=[signal.pk]),
            )
        )
    return steps


JOURNEY_SOURCES = [
    JourneySource(key="identification.signals", entries=_signal_steps),
]
