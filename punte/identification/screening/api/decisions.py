"""Identification decisions and recovery and reflection periods."""

from __future__ import annotations

import datetime
import uuid
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from punte.core.api_support import CursorPage, StrictSchema, paginate_by_cursor
from punte.core.errors import ServiceError
from punte.identification.screening import selectors
from punte.identification.screening.models import (
    IdentificationDecision,
)
from punte.identification.screening.services import decisions
from punte.identification.signals.models import ExploitationForm

# Operation ids are published in the OpenAPI document: they keep the module they were first
# published from (punte.core.api_support.PunteAPI).
OPERATION_ID_PREFIX = "punte_identification_api_mechanism"

router = Router()


class IdentificationDecisionIn(StrictSchema):
    outcome: Literal["presumed_victim", "identified_victim", "not_a_victim"]
    decided_on: datetime.date
    grounds: str = Field(..., max_length=10000)
    exploitation_forms: list[ExploitationForm] = Field(default_factory=list, max_length=9)


class IdentificationDecisionOut(Schema):
    id: uuid.UUID
    person_id: uuid.UUID
    organisation_id: uuid.UUID
    outcome: str
    decided_on: datetime.date
    grounds: str | None = Field(
        None, description="Only for members of competent authorities (decision.record)."
    )
    exploitation_forms: list[str]
    created_at: datetime.datetime


class ReflectionEventOut(Schema):
    kind: str
    occurred_on: datetime.date
    ends_on: datetime.date


class ReflectionPeriodOut(Schema):
    id: uuid.UUID
    person_id: uuid.UUID
    organisation_id: uuid.UUID
    decision_id: uuid.UUID | None
    starts_on: datetime.date
    ends_on: datetime.date
    status: str
    terminated_on: datetime.date | None
    events: list[ReflectionEventOut]

    @staticmethod
    def resolve_events(obj) -> list:
        return list(obj.events.all())


class DecisionsOut(Schema):
    items: list[IdentificationDecisionOut]
    reflection_periods: list[ReflectionPeriodOut]


def _decision_out(decision: IdentificationDecision, *, show_grounds: bool) -> dict[str, Any]:
    return {
        "id": decision.pk,
        "person_id": decision.person_id,
        "organisation_id": decision.organisation_id,
        "outcome": decision.outcome,
        "decided_on": decision.decided_on,
        "grounds": decision.grounds if show_grounds else None,
        "exploitation_forms": decision.exploitation_forms,
        "created_at": decision.created_at,
    }


@router.get(
    "/persons/{person_id}/decisions",
    response=DecisionsOut,
    summary="Identification decisions and reflection periods of a person",
)
def person_decisions(request: HttpRequest, person_id: str):
    actor = request.membership
    person = selectors.person_for_action(actor=actor, person_id=person_id, permission="person.view")
    show = actor.has_perm("decision.record")
    return {
        "items": [
            _decision_out(d, show_grounds=show)
            for d in selectors.decisions_for_person(actor=actor, person=person)
        ],
        "reflection_periods": selectors.reflection_periods_for_person(actor=actor, person=person),
    }


@router.post(
    "/persons/{person_id}/decisions",
    response={201: IdentificationDecisionOut},
    summary="Record an identification decision (competent authorities)",
)
def record_decision(request: HttpRequest, person_id: str, payload: IdentificationDecisionIn):
    actor = request.membership
    person = selectors.person_for_action(
        actor=actor, person_id=person_id, permission="decision.record"
    )
    decision = decisions.decision_record(actor=actor, person=person, **payload.model_dump())
    return Status(201, _decision_out(decision, show_grounds=True))


class ReflectionStartIn(StrictSchema):
    starts_on: datetime.date
    ends_on: datetime.date
    decision_id: uuid.UUID | None = None


class ReflectionExtendIn(StrictSchema):
    ends_on: datetime.date
    reason: str = Field(..., max_length=2000)


class ReflectionTerminateIn(StrictSchema):
    on: datetime.date
    reason: str = Field(..., max_length=2000)


@router.get(
    "/reflection-periods/ending",
    response=CursorPage[ReflectionPeriodOut],
    summary="Running reflection periods ending soon (persons in your scope)",
)
def periods_ending(
    request: HttpRequest,
    within_days: int = Query(14, ge=0, le=90),
    cursor: str | None = None,
    limit: int = 50,
):
    rows, next_cursor = paginate_by_cursor(
        selectors.reflection_periods_ending_for(
            actor=request.membership, within_days=within_days
        ).prefetch_related("events"),
        cursor=cursor,
        limit=limit,
        order_field="ends_on",
        ascending=True,
    )
    return {"items": rows, "next_cursor": next_cursor}


@router.post(
    "/persons/{person_id}/reflection-periods",
    response={201: ReflectionPeriodOut},
    summary="Start a recovery and reflection period (foreign nationals, up to 90 days)",
)
def start_period(request: HttpRequest, person_id: str, payload: ReflectionStartIn):
    actor = request.membership
    person = selectors.person_for_action(
        actor=actor, person_id=person_id, permission="decision.record"
    )
    decision = None
    if payload.decision_id is not None:
        decision = IdentificationDecision.objects.filter(
            pk=payload.decision_id, person=person
        ).first()
        if decision is None:
            raise ServiceError("decision_id", "No decision with this id about this person.")
    period = decisions.reflection_period_start(
        actor=actor,
        person=person,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        decision=decision,
    )
    return Status(201, period)


@router.post(
    "/reflection-periods/{period_id}/extend",
    response=ReflectionPeriodOut,
    summary="Extend a running period (within 90 days from its start)",
)
def extend_period(request: HttpRequest, period_id: str, payload: ReflectionExtendIn):
    actor = request.membership
    period = selectors.reflection_period_get_to_change(actor=actor, period_id=period_id)
    return decisions.reflection_period_extend(
        actor=actor, period=period, ends_on=payload.ends_on, reason=payload.reason
    )


@router.post(
    "/reflection-periods/{period_id}/terminate",
    response=ReflectionPeriodOut,
    summary="End a running period early",
)
def terminate_period(request: HttpRequest, period_id: str, payload: ReflectionTerminateIn):
    actor = request.membership
    period = selectors.reflection_period_get_to_change(actor=actor, period_id=period_id)
    return decisions.reflection_period_terminate(
        actor=actor, period=period, on=payload.on, reason=payload.reason
    )
