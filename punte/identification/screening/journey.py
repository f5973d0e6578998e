"""What screening contributes to worklists and to a person's journey (ADR 0025): screenings,
consent, identification decisions and recovery and reflection periods.

Worklist rows come from this part's selectors, which scope them by the acting membership; the
journey's steps are read for one person whom the viewer may already open, and what the viewer
is shown of each step is decided by punte.journey.timeline, not here.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from punte.core.worklist import JourneyEntry, JourneySource, WorkItem, WorklistSection
from punte.identification.persons.models import Person
from punte.identification.screening.models import (
    ConsentEvent,
    IdentificationDecision,
    ReflectionPeriodEvent,
    Screening,
    ScreeningStatus,
)
from punte.identification.screening.selectors import (
    reflection_periods_ending_for,
    screening_drafts_for,
)
from punte.identification.signals.models import ExploitationForm

# Reflection periods ending within this many days (two weeks) are on the worklist.
REFLECTION_ENDING_DAYS = 14
_FORMS = dict(ExploitationForm.choices)


def _ends_in(days: int) -> str:
    if days < 0:
        return str(_("ended"))
    if days == 0:
        return str(_("ends today"))
    return ngettext("ends in %(days)d day", "ends in %(days)d days", days) % {"days": days}


def _person_url(person_id) -> str:
    return reverse("identification:person_detail", args=[person_id])


def _record(person_id) -> str:
    return str(person_id)[:8]


def _forms(codes) -> str:
    return ", ".join(str(_FORMS.get(code, code)) for code in codes or []) or "—"


def _draft_item(screening: Screening) -> WorkItem:
    reason = screening.get_draft_reason_display() if screening.draft_reason else ""
    return WorkItem(
        id=str(screening.pk),
        kind="screening_draft",
        label=_("%(kind)s · record %(record)s")
        % {"kind": screening.get_kind_display(), "record": _record(screening.person_id)},
        # The draft itself, where it stopped, in the guided path (the journey app's pages,
        # which hold the worklist this section is shown in), not the person's record.
        url=reverse("journey:screen_questions", args=[screening.pk]),
        occurred_at=screening.modified_at,
        person_id=screening.person_id,
        status=reason or screening.get_status_display(),
    )


def _reflection_item(period) -> WorkItem:
    return WorkItem(
        id=str(period.pk),
        kind="reflection_period",
        label=_("Recovery and reflection period · record %(record)s")
        % {"record": _record(period.person_id)},
        url=_person_url(period.person_id),
        occurred_at=period.created_at,
        person_id=period.person_id,
        due_at=period.ends_on,
        overdue=period.ends_on < timezone.localdate(),
        status=_ends_in((period.ends_on - timezone.localdate()).days),
    )


WORKLIST_SECTIONS = [
    WorklistSection(
        key="screenings.drafts",
        title=_("Screening drafts to resume"),
        permission="screening.conduct",
        empty_text=_(
            "No screening is waiting to be resumed. A screening you stop (interpreter needed, "
            "person unwell) comes back here."
        ),
        rows=lambda actor: screening_drafts_for(actor=actor),
        item=_draft_item,
        order=20,
        order_field="modified_at",
        ascending=True,
    ),
    WorklistSection(
        key="reflection.ending",
        title=_("Recovery and reflection periods ending soon"),
        permission="person.view",
        empty_text=_(
            "No recovery and reflection period of a person you follow ends in the next two weeks."
        ),
        rows=lambda actor: reflection_periods_ending_for(
            actor=actor, within_days=REFLECTION_ENDING_DAYS
        ),
        item=_reflection_item,
        order=60,
        order_field="ends_on",
        ascending=True,
    ),
]


def _screening_steps(person: Person) -> list[JourneyEntry]:
    steps = []
    for screening in Screening.objects.filter(person=person).select_related(
        "organisation", "catalogue"
    ):
        details = (
            (_("Kind"), screening.get_kind_display()),
            (_("Catalogue version"), screening.catalogue.version),
        )
        if screening.status == ScreeningStatus.DRAFT:
            steps.append(
                JourneyEntry(
                    occurred_at=screening.created_at,
                    kind="screening.draft",
                    title=_("Screening started, not completed"),
                    organisation=screening.organisation,
                    parties=frozenset({screening.organisation_id}),
                    status=screening.get_draft_reason_display() or screening.get_status_display(),
                    details=details,
                    url=_person_url(person.pk),
                    private=True,
                )
            )
            continue
        steps.append(
            JourneyEntry(
                occurred_at=screening.completed_at,
                kind="screening.completed",
                title=_("Screening completed: %(kind)s") % {"kind": screening.get_kind_display()},
                organisation=screening.organisation,
                parties=frozenset({screening.organisation_id}),
                status=screening.get_outcome_display(),
                details=details,
                url=_person_url(person.pk),
            )
        )
    return steps


def _consent_steps(person: Person) -> list[JourneyEntry]:
    return [
        JourneyEntry(
            occurred_at=event.recorded_at,
            kind="consent.recorded",
            title=_("Consent: %(purpose)s") % {"purpose": event.get_purpose_display()},
            organisation=event.organisation,
            parties=frozenset({event.organisation_id}),
            status=event.get_decision_display(),
            happened_on=event.decided_on,
            details=((_("Rights explained in"), event.get_rights_language_display()),),
        )
        for event in ConsentEvent.objects.filter(person=person).select_related("organisation")
    ]


def _decision_steps(person: Person) -> list[JourneyEntry]:
    return [
        JourneyEntry(
            occurred_at=decision.created_at,
            kind="decision.recorded",
            title=_("Identification decision"),
            organisation=decision.organisation,
            parties=frozenset({decision.organisation_id}),
            status=decision.get_outcome_display(),
            happened_on=decision.decided_on,
            details=(
                (_("Grounds"), decision.grounds),
                (_("Forms of exploitation"), _forms(decision.exploitation_forms)),
            ),
        )
        for decision in IdentificationDecision.objects.filter(
            person=person, archived_at__isnull=True
        ).select_related("organisation")
    ]


def _reflection_steps(person: Person) -> list[JourneyEntry]:
    steps = []
    events = ReflectionPeriodEvent.objects.filter(period__person=person).select_related(
        "period__organisation"
    )
    for event in events:
        period = event.period
        details: tuple[tuple[str, str], ...] = ()
        if event.reason:
            details = ((_("Reason"), event.reason),)
        steps.append(
            JourneyEntry(
                occurred_at=event.recorded_at,
                kind=f"reflection.{event.kind}",
                title=_("Recovery and reflection period: %(kind)s")
                % {"kind": event.get_kind_display()},
                organisation=period.organisation,
                parties=frozenset({period.organisation_id}),
                status=_("until %(date)s")
                % {"date": date_format(event.ends_on, "SHORT_DATE_FORMAT")},
                happened_on=event.occurred_on,
                details=details,
            )
        )
    return steps


JOURNEY_SOURCES = [
    JourneySource(key="identification.screenings", entries=_screening_steps),
    JourneySource(key="identification.consent", entries=_consent_steps),
    JourneySource(key="identification.decisions", entries=_decision_steps),
    JourneySource(key="identification.reflection", entries=_reflection_steps),
]
