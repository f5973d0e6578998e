"""/api/v1/signals: other agencies' systems and Punte's own clients record and triage signals."""

from __future__ import annotations

import datetime
import uuid

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from punte.core.api_support import CursorPage, StrictSchema, paginate_by_cursor
from punte.identification.signals import selectors
from punte.identification.signals.models import (
    ExploitationForm,
    Signal,
    SignalChannel,
    SignalCloseReason,
    SignalStatus,
)
from punte.identification.signals.services import signal as services

# Operation ids are published in the OpenAPI document: they keep the module they were first
# published from (punte.core.api_support.PunteAPI).
OPERATION_ID_PREFIX = "punte_identification_signal_api"

router = Router(tags=["signals"])


class SignalPersonIn(StrictSchema):
    person_id: uuid.UUID | None = Field(None, description="A person recorded in Punte")
    description: str | None = Field(
        None,
        max_length=services.MAX_PERSON_DESCRIPTION,
        description="Someone not (yet) recorded, e.g. 'a girl of about 15 who speaks Ukrainian'",
    )


class SignalIn(StrictSchema):
    channel: SignalChannel = Field(description="How the suspicion reached you (not public_report)")
    description: str = Field(
        min_length=1, max_length=services.MAX_DESCRIPTION, description="What was seen"
    )
    county: str | None = Field(None, max_length=6, description="ISO 3166-2:RO, e.g. RO-CJ")
    locality: str | None = Field(None, max_length=services.MAX_LOCALITY)
    observed_on: datetime.date | None = None
    exploitation_forms: list[ExploitationForm] = Field(default_factory=list, max_length=9)
    people: list[SignalPersonIn] = Field(default_factory=list, max_length=services.MAX_PEOPLE)
    external_reference: str = Field(
        "", max_length=100, description="Your system's own identifier for this signal"
    )


class SignalPersonOut(Schema):
    person_id: uuid.UUID | None
    person_hidden: bool = Field(
        description="A recorded person whose record you may not open (recorded elsewhere)"
    )
    description: str | None


class SignalTransitionOut(Schema):
    from_status: str
    to_status: str
    occurred_at: datetime.datetime
    organisation_id: uuid.UUID | None
    assigned_to_id: uuid.UUID | None
    close_reason: str
    note: str | None


class SignalSummary(Schema):
    id: uuid.UUID
    reference: str
    created_at: datetime.datetime
    channel: str
    status: str
    status_changed_at: datetime.datetime
    county: str | None = Field(None, alias="county_id")
    observed_on: datetime.date | None
    exploitation_forms: list[str]
    recording_organisation_id: uuid.UUID | None
    responsible_organisation_id: uuid.UUID


class SignalOut(SignalSummary):
    description: str
    locality: str | None
    close_reason: str
    duplicate_of_id: uuid.UUID | None
    external_reference: str
    reporter_contact: str | None
    reporter_language: str
    people: list[SignalPersonOut]
    transitions: list[SignalTransitionOut]


class TriageIn(StrictSchema):
    to: SignalStatus
    close_reason: SignalCloseReason | None = None
    assign_to: uuid.UUID | None = Field(None, description="Organisation id (to: assigned)")
    duplicate_of: uuid.UUID | None = Field(None, description="Signal id (close_reason: duplicate)")
    note: str | None = Field(None, max_length=services.MAX_NOTE)


def _detail(request: HttpRequest, signal: Signal) -> dict:
    actor = request.membership
    out = SignalSummary.model_validate(signal).model_dump()
    out.update(
        description=signal.description,
        locality=signal.locality,
        close_reason=signal.close_reason,
        duplicate_of_id=signal.duplicate_of_id,
        external_reference=signal.external_reference or "",
        reporter_contact=signal.reporter_contact,
        reporter_language=signal.reporter_language,
        people=selectors.signal_people_for(actor=actor, signal=signal),
        transitions=[
            SignalTransitionOut.model_validate(t).model_dump()
            for t in selectors.signal_transitions_for(signal=signal)
        ],
    )
    return out


@router.get("/signals", response=CursorPage[SignalSummary], summary="Signals visible to you")
def list_signals(
    request: HttpRequest,
    status: SignalStatus | None = None,
    cursor: str | None = None,
    limit: int = 50,
):
    """Newest first. What was seen is not listed: opening a signal is what the audit trail
    counts."""
    signals = selectors.signal_list_visible_to(actor=request.membership)
    if status:
        signals = signals.filter(status=status)
    rows, next_cursor = paginate_by_cursor(signals, cursor=cursor, limit=limit)
    return {"items": rows, "next_cursor": next_cursor}


@router.get("/signals/{signal_id}", response=SignalOut, summary="Open a signal")
def get_signal(request: HttpRequest, signal_id: str):
    signal = selectors.signal_get_for_view(actor=request.membership, signal_id=signal_id)
    return _detail(request, signal)


@router.post("/signals", response={201: SignalOut}, summary="Record a signal")
def create_signal(request: HttpRequest, payload: SignalIn):
    """Send an `Idempotency-Key` so that a retry after a timeout records the signal once."""
    signal = services.signal_create(
        actor=request.membership,
        data=services.SignalInput(
            channel=payload.channel,
            description=payload.description,
            county=payload.county,
            locality=payload.locality,
            observed_on=payload.observed_on,
            exploitation_forms=[str(f) for f in payload.exploitation_forms],
            people=[
                services.SignalPersonInput(person_id=p.person_id, description=p.description)
                for p in payload.people
            ],
            external_reference=payload.external_reference,
        ),
    )
    return Status(201, _detail(request, signal))


@router.post(
    "/signals/{signal_id}/people", response={201: SignalOut}, summary="Name one more person"
)
def add_signal_person(request: HttpRequest, signal_id: str, payload: SignalPersonIn):
    """A person the signal concerns, identified since it was recorded (`person_id`, a record
    you may open) or described. Needs the right to act on the signal."""
    signal = services.signal_add_person(
        actor=request.membership,
        signal_id=signal_id,
        entry=services.SignalPersonInput(
            person_id=payload.person_id, description=payload.description
        ),
    )
    return Status(201, _detail(request, signal))


@router.post("/signals/{signal_id}/triage", response=SignalOut, summary="Move a signal on")
def triage_signal(request: HttpRequest, signal_id: str, payload: TriageIn):
    """Apply one step of the lifecycle: `new` → `in_triage` | `assigned` | `screening` |
    `closed`; `in_triage` → `assigned` | `screening` | `closed`; `assigned` → `in_triage` |
    `assigned` | `closed`; `screening` → `closed`; `closed` → `in_triage` (reopened). Closing
    needs `close_reason` (and `duplicate_of` for a duplicate); assigning needs `assign_to`."""
    signal = services.signal_transition(
        actor=request.membership,
        signal_id=signal_id,
        to=payload.to,
        close_reason=payload.close_reason,
        assign_to=payload.assign_to,
        duplicate_of=payload.duplicate_of,
        note=payload.note,
    )
    return _detail(request, signal)
