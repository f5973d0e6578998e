"""Every write on signals but the public report: record one, add people, move one through its
lifecycle (public_report.py receives anonymous reports with the same checks)."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from punte.accounts.models import Membership, Organisation
from punte.core import audit
from punte.core.errors import ServiceError, uuid_or_404
from punte.core.lifecycle import AuditEntry, StateMachine, Step, apply
from punte.core.models import County
from punte.identification.signals.models import (
    SIGNAL_TRANSITIONS,
    ExploitationForm,
    Signal,
    SignalChannel,
    SignalCloseReason,
    SignalPerson,
    SignalStatus,
    SignalTransition,
)

# Limits on free text, the same for the API, the staff pages and the public form.
MAX_DESCRIPTION = 5000
MAX_LOCALITY = 200
MAX_PERSON_DESCRIPTION = 1000
MAX_PEOPLE = 20
MAX_NOTE = 2000
MAX_CONTACT = 300
# Older observations are not refused, but a date this far back is a typing error.
OLDEST_OBSERVATION_YEARS = 30


@dataclass(frozen=True)
class SignalPersonInput:
    person_id: uuid.UUID | str | None = None
    description: str | None = None


@dataclass(frozen=True)
class SignalInput:
    channel: str
    description: str
    county: str | None = None
    locality: str | None = None
    observed_on: datetime.date | None = None
    exploitation_forms: list[str] = field(default_factory=list)
    people: list[SignalPersonInput] = field(default_factory=list)
    external_reference: str = ""


def _text(value: str | None, *, name: str, limit: int, required: bool = False) -> str | None:
    value = (value or "").strip()
    if required and not value:
        raise ServiceError(name, _("This field is required."))
    if len(value) > limit:
        message = _("At most %(limit)d characters.") % {"limit": limit}
        raise ServiceError(name, message)
    return value or None


def _county(code: str | None) -> County | None:
    if not code:
        return None
    county = County.objects.filter(code=code.strip().upper()).first()
    if county is None:
        raise ServiceError("county", _("Not a county code (ISO 3166-2:RO, e.g. RO-CJ)."))
    return county


def _observed_on(value: datetime.date | None) -> datetime.date | None:
    if value is None:
        return None
    today = timezone.localdate()
    if value > today:
        raise ServiceError("observed_on", _("The date of the observation is in the future."))
    if value.year < today.year - OLDEST_OBSERVATION_YEARS:
        raise ServiceError("observed_on", _("The date of the observation is not plausible."))
    return value


def _forms(values: list[str]) -> list[str]:
    forms: list[str] = []
    for index, value in enumerate(values):
        if value not in ExploitationForm.values:
            message = _("Unknown form of exploitation; expected one of %(values)s.")
            raise ServiceError(
                f"exploitation_forms.{index}",
                message % {"values": ", ".join(ExploitationForm.values)},
            )
        if value not in forms:
            forms.append(value)
    return forms


def _linked_people(actor: Membership, people: list[SignalPersonInput]) -> list[SignalPerson]:
    from punte.identification.persons.selectors import person_list_visible_to

    if len(people) > MAX_PEOPLE:
        message = _("At most %(limit)d people per signal.") % {"limit": MAX_PEOPLE}
        raise ServiceError("people", message)
    links = []
    visible = person_list_visible_to(actor=actor)
    for index, entry in enumerate(people):
        description = _text(
            entry.description, name=f"people.{index}.description", limit=MAX_PERSON_DESCRIPTION
        )
        person = None
        if entry.person_id:
            try:
                person_uuid = uuid.UUID(str(entry.person_id))
            except ValueError:
                person_uuid = None
            person = visible.filter(pk=person_uuid).first() if person_uuid else None
            if person is None:
                raise ServiceError(
                    f"people.{index}.person_id", _("No such person, or not visible to you.")
                )
        if person is None and description is None:
            raise ServiceError(
                f"people.{index}", _("Link a recorded person or describe the person.")
            )
        links.append(SignalPerson(person=person, description=description, position=index))
    return links


def _start(signal: Signal, *, actor_user, organisation) -> None:
    SignalTransition.objects.create(
        signal=signal,
        from_status="",
        to_status=signal.status,
        occurred_at=signal.status_changed_at,
        actor=actor_user,
        organisation=organisation,
    )


@transaction.atomic
def signal_create(*, actor: Membership, data: SignalInput) -> Signal:
    if not actor.has_perm("signal.create"):
        raise ServiceError(None, _("Your role may not record signals."), status=403)
    if data.channel not in SignalChannel.values or data.channel == SignalChannel.PUBLIC_REPORT:
        allowed = [c for c in SignalChannel.values if c != SignalChannel.PUBLIC_REPORT]
        message = _("Unknown channel; expected one of %(values)s.")
        raise ServiceError("channel", message % {"values": ", ".join(allowed)})
    description = _text(data.description, name="description", limit=MAX_DESCRIPTION, required=True)
    county = _county(data.county)
    locality = _text(data.locality, name="locality", limit=MAX_LOCALITY)
    observed_on = _observed_on(data.observed_on)
    forms = _forms(data.exploitation_forms)
    external_reference = (data.external_reference or "").strip()
    if len(external_reference) > 100:
        raise ServiceError(
            "external_reference", _("At most %(limit)d characters.") % {"limit": 100}
        )
    links = _linked_people(actor, data.people)
    now = timezone.now()
    signal = Signal.objects.create(
        channel=data.channel,
        status=SignalStatus.NEW,
        status_changed_at=now,
        recorded_by_membership=actor,
        recording_organisation=actor.organisation,
        responsible_organisation=actor.organisation,
        description=description,
        county=county,
        locality=locality,
        observed_on=observed_on,
        exploitation_forms=forms,
        external_reference=external_reference or None,
        created_by=actor.user,
        modified_by=actor.user,
    )
    _start(signal, actor_user=actor.user, organisation=actor.organisation)
    audit.record(
        action="signal.created",
        actor=actor,
        subject=signal,
        changes={
            "channel": signal.channel,
            "county": signal.county_id,
            "exploitation_forms": forms,
            "people": len(links),
            "description": audit.REDACTED,
        },
    )
    _attach(signal, links, actor=actor)
    return signal


def _attach(signal: Signal, links: list[SignalPerson], *, actor: Membership) -> None:
    for link in links:
        link.signal = signal
        link.save()
        if link.person_id:
            # The person's access log (GDPR art. 15) shows that they were named in a signal.
            audit.record(
                action="signal.person_linked",
                actor=actor,
                subject=signal,
                person_id=link.person_id,
            )


@transaction.atomic
def signal_add_person(
    *, actor: Membership, signal_id: uuid.UUID | str, entry: SignalPersonInput
) -> Signal:
    """Name one more person a signal concerns: someone identified since, or described."""
    signal = _locked_for_triage(actor, signal_id)
    present = signal.people.count()
    if present >= MAX_PEOPLE:
        message = _("At most %(limit)d people per signal.") % {"limit": MAX_PEOPLE}
        raise ServiceError("people", message)
    try:
        [link] = _linked_people(actor, [entry])
    except ServiceError as exc:
        # One entry, given on its own: name its fields without the list's "people.0.".
        field = (exc.field or "").removeprefix("people.0").lstrip(".") or None
        raise ServiceError(field, exc.message, status=exc.status) from exc
    if link.person_id and signal.people.filter(person_id=link.person_id).exists():
        raise ServiceError("person_id", _("This person is already named in the signal."))
    link.position = present
    signal.modified_by = actor.user
    signal.save(update_fields=["modified_by", "modified_at"])
    if link.person_id is None:
        audit.record(
            action="signal.person_described",
            actor=actor,
            subject=signal,
            changes={"description": audit.REDACTED},
        )
    _attach(signal, [link], actor=actor)
    return signal


def _locked_for_triage(actor: Membership, signal_id) -> Signal:
    from punte.identification.signals.selectors import signal_list_visible_to

    signal_uuid = uuid_or_404(signal_id)
    # Without the permission the signal is not found, as any record outside one's scope.
    visible = signal_list_visible_to(actor=actor, permission="signal.triage")
    signal = visible.select_for_update().filter(pk=signal_uuid).first()
    if signal is None:
        raise Http404
    return signal


def _signal_refusal(row: Signal | None, current: str, wanted: str, allowed: list[str]) -> str:
    message = _("A signal that is %(current)s cannot become %(to)s; it can become: %(allowed)s.")
    return message % {
        "current": SignalStatus(current).label,
        "to": SignalStatus(wanted).label,
        "allowed": ", ".join(allowed),
    }


# SIGNAL_TRANSITIONS as applied: a refused move is an input error in `to` (422), as it always was.
SIGNAL_MACHINE = StateMachine.from_sets(
    SIGNAL_TRANSITIONS,
    label=lambda status: SignalStatus(status).label,
    refusal=_signal_refusal,
    field="to",
    refusal_status=422,
    statuses=tuple(SignalStatus.values),
    unknown=gettext_lazy("Unknown status; expected one of %(values)s."),
)


@transaction.atomic
def signal_transition(
    *,
    actor: Membership,
    signal_id: uuid.UUID | str,
    to: str,
    close_reason: str | None = None,
    assign_to: uuid.UUID | str | None = None,
    duplicate_of: uuid.UUID | str | None = None,
    note: str | None = None,
) -> Signal:
    """Move a signal to `to`, if SIGNAL_TRANSITIONS allows it from where it is."""
    from punte.identification.signals.selectors import signal_list_visible_to

    def update(step: Step) -> list[str]:
        # The inputs are checked once the move itself is known to be allowed.
        checked_note = _text(note, name="note", limit=MAX_NOTE)
        reason, target, duplicate = "", None, None
        if to == SignalStatus.CLOSED:
            reason = _close_reason(close_reason)
            if reason == SignalCloseReason.DUPLICATE:
                duplicate = _duplicate(actor, step.row, duplicate_of)
        elif close_reason:
            raise ServiceError("close_reason", _("Only a signal being closed takes a reason."))
        if to == SignalStatus.ASSIGNED:
            target = _assignee(step.row, assign_to)
        elif assign_to:
            raise ServiceError(
                "assign_to", _("Only a signal being assigned takes an organisation.")
            )
        return _moved(
            step, close_reason=reason, target=target, duplicate=duplicate, note=checked_note
        )

    step = apply(
        SIGNAL_MACHINE,
        actor=actor,
        to=to,
        # Without the permission the signal is not found, as any record outside one's scope.
        queryset=signal_list_visible_to(actor=actor, permission="signal.triage"),
        pk=uuid_or_404(signal_id),
        update=update,
        event=_transition_row,
        audit_entry=_transition_audit,
    )
    return step.row


def _moved(
    step: Step,
    *,
    close_reason: str = "",
    target: Organisation | None = None,
    duplicate: Signal | None = None,
    note: str | None = None,
    screening_id: str | None = None,
) -> list[str]:
    """The fields a move sets besides the status; what its history row and audit event need
    is kept in `step.extra`."""
    signal = step.row
    step.extra.update(
        close_reason=close_reason,
        target=target,
        duplicate=duplicate,
        note=note,
        screening_id=screening_id,
        old_responsible=str(signal.responsible_organisation_id),
    )
    signal.status_changed_at = step.at
    signal.close_reason, signal.duplicate_of = close_reason, duplicate
    if target is not None:
        signal.responsible_organisation = target
    return ["status_changed_at", "close_reason", "duplicate_of", "responsible_organisation"]


def _transition_row(step: Step) -> SignalTransition:
    return SignalTransition.objects.create(
        signal=step.row,
        from_status=step.old,
        to_status=step.new,
        occurred_at=step.at,
        actor=step.actor.user,
        organisation=step.actor.organisation,
        assigned_to=step.extra["target"],
        close_reason=step.extra["close_reason"],
        note=step.extra["note"],
    )


def _transition_audit(step: Step) -> AuditEntry:
    extra = step.extra
    changes = {"status": {"old": step.old, "new": step.new}}
    if extra["target"] is not None:
        changes["responsible_organisation"] = {
            "old": extra["old_responsible"],
            "new": str(extra["target"].pk),
        }
    if extra["close_reason"]:
        changes["close_reason"] = extra["close_reason"]
    if extra["duplicate"] is not None:
        changes["duplicate_of"] = str(extra["duplicate"].pk)
    if extra["note"]:
        changes["note"] = audit.REDACTED
    if extra["screening_id"]:
        changes["screening"] = extra["screening_id"]
    return AuditEntry("signal.transitioned", changes)


def signals_enter_screening(*, actor: Membership, person, screening_id: str) -> list[Signal]:
    """A screening of `person` has started in the actor's organisation: the open signals about
    that person which this organisation is handling (new or in triage) move to "screening", so
    nobody triages again what is already being screened. Called inside the screening's
    transaction; signals handled by other organisations are left to them."""
    signals = list(
        Signal.objects.select_for_update()
        .filter(
            archived_at__isnull=True,
            responsible_organisation_id=actor.organisation_id,
            status__in=[
                status
                for status, allowed in SIGNAL_TRANSITIONS.items()
                if SignalStatus.SCREENING in allowed and status != SignalStatus.SCREENING
            ],
            pk__in=SignalPerson.objects.filter(person=person).values("signal_id"),
        )
        .order_by("created_at", "id")
    )
    for signal in signals:
        apply(
            SIGNAL_MACHINE,
            actor=actor,
            to=SignalStatus.SCREENING,
            row=signal,
            update=lambda step: _moved(step, screening_id=screening_id),
            event=_transition_row,
            audit_entry=_transition_audit,
        )
    return signals


def _close_reason(value: str | None) -> str:
    if not value:
        raise ServiceError("close_reason", _("Give the reason for closing the signal."))
    if value not in SignalCloseReason.values:
        message = _("Unknown reason; expected one of %(values)s.")
        raise ServiceError(
            "close_reason", message % {"values": ", ".join(SignalCloseReason.values)}
        )
    return value


def _duplicate(actor: Membership, signal: Signal, duplicate_of) -> Signal:
    from punte.identification.signals.selectors import signal_list_visible_to

    try:
        other_uuid = uuid.UUID(str(duplicate_of)) if duplicate_of else None
    except ValueError:
        other_uuid = None
    other = (
        signal_list_visible_to(actor=actor).filter(pk=other_uuid).first() if other_uuid else None
    )
    if other is None or other.pk == signal.pk:
        raise ServiceError(
            "duplicate_of", _("Name the other signal this one duplicates (one you can see).")
        )
    return other


def _assignee(signal: Signal, assign_to) -> Organisation:
    try:
        target_uuid = uuid.UUID(str(assign_to)) if assign_to else None
    except ValueError:
        target_uuid = None
    target = (
        Organisation.objects.filter(Q(pk=target_uuid), is_active=True).first()
        if target_uuid
        else None
    )
    if target is None:
        raise ServiceError("assign_to", _("Choose an active organisation to assign it to."))
    if target.pk == signal.responsible_organisation_id:
        raise ServiceError("assign_to", _("The signal is already with this organisation."))
    return target
