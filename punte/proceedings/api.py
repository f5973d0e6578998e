"""/api/v1/cases/{id}/proceedings, /api/v1/proceedings/... and /api/v1/offenders/... (ADR 0040)."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

from django.http import HttpRequest
from ninja import Field, Router, Schema

from punte.core.api_support import StrictSchema
from punte.proceedings import selectors, services
from punte.proceedings.models import (
    AgeGroup,
    OffenderStage,
    Outcome,
    Proceeding,
    ProtectionMeasure,
    Stage,
    VictimRole,
)
from punte.proceedings.offences import BY_CODE

router = Router(tags=["proceedings"])


class ChargeOut(Schema):
    offence: str
    article: str
    label: str
    added_at: datetime.datetime

    @staticmethod
    def resolve_article(obj) -> str:
        return BY_CODE[obj.offence].article

    @staticmethod
    def resolve_label(obj) -> str:
        return str(BY_CODE[obj.offence].label)


class OffenderOut(Schema):
    id: uuid.UUID
    # Only for those who follow proceedings (`proceeding.manage`); null for other readers.
    name: str | None
    sex: str
    age_group: AgeGroup
    citizenship: str
    stage: OffenderStage

    @staticmethod
    def resolve_name(obj, context) -> str | None:
        if not selectors.may_read_names(context["request"].membership):
            return None
        return obj.name

    @staticmethod
    def resolve_sex(obj) -> str:
        return obj.profile["sex"]

    @staticmethod
    def resolve_age_group(obj) -> str:
        return obj.profile["age_group"]

    @staticmethod
    def resolve_citizenship(obj) -> str:
        return obj.profile["citizenship"]


class StageEventOut(Schema):
    from_stage: str
    to_stage: Stage
    occurred_at: datetime.datetime


class ProceedingOut(Schema):
    id: uuid.UUID
    case_id: uuid.UUID
    file_number: str | None
    prosecuting_office: str
    stage: Stage
    victim_role: VictimRole
    protection_measures: list[ProtectionMeasure]
    outcome: Outcome | None
    decided_on: datetime.date | None
    sentence_months: int | None
    compensation_ordered: Decimal | None
    compensation_paid: Decimal | None
    charges: list[ChargeOut]
    offenders: list[OffenderOut]
    history: list[StageEventOut]

    @staticmethod
    def resolve_prosecuting_office(obj: Proceeding) -> str:
        return obj.prosecuting_office.name

    @staticmethod
    def resolve_outcome(obj: Proceeding):
        return obj.outcome or None

    @staticmethod
    def resolve_charges(obj: Proceeding):
        return list(obj.charges.all())

    @staticmethod
    def resolve_offenders(obj: Proceeding):
        return list(obj.offenders.all())

    @staticmethod
    def resolve_history(obj: Proceeding):
        return list(obj.events.all())


class ProceedingIn(StrictSchema):
    file_number: str = Field(..., min_length=3, max_length=40, examples=["1234/D/P/2026"])
    prosecuting_office_id: uuid.UUID
    victim_role: VictimRole
    protection_measures: list[ProtectionMeasure] = Field(default_factory=list)


class StageIn(StrictSchema):
    stage: Stage
    # With `final` only: the outcome, its date, and for a conviction the sentence.
    outcome: Outcome | None = None
    decided_on: datetime.date | None = None
    sentence_months: int | None = Field(None, ge=0, le=360)
    compensation_ordered: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)


class ProceedingChangeIn(StrictSchema):
    victim_role: VictimRole
    protection_measures: list[ProtectionMeasure] = Field(default_factory=list)
    compensation_paid: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)


class ChargeIn(StrictSchema):
    offence: str = Field(..., max_length=40, description="A code of proceedings.offences")


class OffenderIn(StrictSchema):
    sex: str = Field(..., pattern="^(female|male|unknown)$")
    age_group: AgeGroup
    citizenship: str = Field(..., min_length=2, max_length=2, description="ISO 3166-1 alpha-2")
    name: str = Field("", max_length=200)
    stage: OffenderStage = OffenderStage.SUSPECTED


class OffenderStageIn(StrictSchema):
    stage: OffenderStage


def _detail(request: HttpRequest, proceeding_id) -> Proceeding:
    return selectors.proceeding_get(actor=request.membership, proceeding_id=proceeding_id)


@router.get(
    "/cases/{case_id}/proceedings", response=list[ProceedingOut], summary="A case's proceedings"
)
def case_proceedings(request: HttpRequest, case_id: str):
    _case, proceedings = selectors.proceedings_of_case(actor=request.membership, case_id=case_id)
    return proceedings


@router.post(
    "/cases/{case_id}/proceedings",
    response={201: ProceedingOut},
    summary="Link a criminal proceeding to a case",
)
def record_proceeding(request: HttpRequest, case_id: str, payload: ProceedingIn):
    proceeding = services.proceeding_record(
        actor=request.membership,
        case_id=case_id,
        file_number=payload.file_number,
        prosecuting_office_id=payload.prosecuting_office_id,
        victim_role=payload.victim_role,
        protection_measures=payload.protection_measures,
    )
    return 201, _detail(request, proceeding.pk)


@router.get("/proceedings/{proceeding_id}", response=ProceedingOut, summary="One proceeding")
def get_proceeding(request: HttpRequest, proceeding_id: str):
    return _detail(request, proceeding_id)


@router.post(
    "/proceedings/{proceeding_id}/stage", response=ProceedingOut, summary="Move to another stage"
)
def advance_proceeding(request: HttpRequest, proceeding_id: str, payload: StageIn):
    """Forward only (409 names the possible next stages). `final` needs the outcome and the
    date of the decision; a sentence goes with a conviction."""
    services.proceeding_advance(
        actor=request.membership,
        proceeding_id=proceeding_id,
        stage=payload.stage,
        outcome=payload.outcome or "",
        decided_on=payload.decided_on,
        sentence_months=payload.sentence_months,
        compensation_ordered=payload.compensation_ordered,
    )
    return _detail(request, proceeding_id)


@router.put(
    "/proceedings/{proceeding_id}",
    response=ProceedingOut,
    summary="The victim's role, protection measures and compensation paid",
)
def change_proceeding(request: HttpRequest, proceeding_id: str, payload: ProceedingChangeIn):
    services.proceeding_change(
        actor=request.membership,
        proceeding_id=proceeding_id,
        victim_role=payload.victim_role,
        protection_measures=payload.protection_measures,
        compensation_paid=payload.compensation_paid,
    )
    return _detail(request, proceeding_id)


@router.post(
    "/proceedings/{proceeding_id}/charges", response={201: ProceedingOut}, summary="Add a charge"
)
def add_charge(request: HttpRequest, proceeding_id: str, payload: ChargeIn):
    services.charge_add(
        actor=request.membership, proceeding_id=proceeding_id, offence=payload.offence
    )
    return 201, _detail(request, proceeding_id)


@router.post(
    "/proceedings/{proceeding_id}/offenders",
    response={201: ProceedingOut},
    summary="Record a suspect or offender",
)
def add_offender(request: HttpRequest, proceeding_id: str, payload: OffenderIn):
    services.offender_record(
        actor=request.membership,
        proceeding_id=proceeding_id,
        sex=payload.sex,
        age_group=payload.age_group,
        citizenship=payload.citizenship,
        name=payload.name,
        stage=payload.stage,
    )
    return 201, _detail(request, proceeding_id)


@router.post(
    "/offenders/{offender_id}/stage", response=OffenderOut, summary="A suspect's next stage"
)
def advance_offender(request: HttpRequest, offender_id: str, payload: OffenderStageIn):
    offender = services.offender_advance(
        actor=request.membership, offender_id=offender_id, stage=payload.stage
    )
    return offender
