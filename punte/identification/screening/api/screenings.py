"""Screenings: start one, save its answers, stop it with a reason, complete it."""

from __future__ import annotations

import datetime
import uuid
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from punte.core.api_support import CursorPage, StrictSchema, paginate_by_cursor
from punte.identification.screening import selectors
from punte.identification.screening.catalogue.vocabulary import IndicatorList
from punte.identification.screening.models import (
    Screening,
)
from punte.identification.screening.services import screening

# Operation ids are published in the OpenAPI document: they keep the module they were first
# published from (punte.core.api_support.PunteAPI).
OPERATION_ID_PREFIX = "punte_identification_api_mechanism"

router = Router()


class ScreeningStartIn(StrictSchema):
    kind: Literal["full", "short"]
    lists: list[IndicatorList] = Field(default_factory=list, max_length=9)
    catalogue_version: str | None = Field(None, max_length=40)


class AnswersIn(StrictSchema):
    answers: dict[str, Any] = Field(
        ...,
        description=(
            "Indicator code -> true (observed) / false (asked, not observed) for a full "
            "screening, or 'yes' / 'no' / 'unsure' for the short screen; null clears an answer."
        ),
    )
    catalogue_version: str | None = Field(
        None, max_length=40, description="If sent, must be the screening's catalogue version."
    )


class SuspendIn(StrictSchema):
    reason: Literal["interrupted", "interpreter_needed", "person_unwell", "other"]
    note: str | None = Field(None, max_length=2000)


class CompleteIn(StrictSchema):
    catalogue_version: str | None = Field(
        None, max_length=40, description="If sent, must be the screening's catalogue version."
    )


class ScreeningSummary(Schema):
    id: uuid.UUID
    person_id: uuid.UUID
    organisation_id: uuid.UUID
    catalogue_version: str
    kind: str
    lists: list[str]
    is_child: bool
    status: str
    draft_reason: str
    outcome: str
    created_at: datetime.datetime
    modified_at: datetime.datetime
    completed_at: datetime.datetime | None

    @staticmethod
    def resolve_catalogue_version(obj: Screening) -> str:
        return obj.catalogue.version


class ScreeningOut(ScreeningSummary):
    answers: dict[str, Any]
    draft_note: str | None
    result: dict[str, Any] | None
    explanation: list[str]

    @staticmethod
    def resolve_explanation(obj: Screening) -> list[str]:
        if obj.result is None:
            return []
        return screening.assess_screening(obj).explanation()


class ScreeningList(Schema):
    items: list[ScreeningSummary]


@router.get(
    "/screenings/drafts",
    response=CursorPage[ScreeningSummary],
    summary="Screening drafts you may resume",
)
def list_drafts(request: HttpRequest, cursor: str | None = None, limit: int = 50):
    rows, next_cursor = paginate_by_cursor(
        selectors.screening_drafts_for(actor=request.membership),
        cursor=cursor,
        limit=limit,
        order_field="modified_at",
        ascending=True,
    )
    return {"items": rows, "next_cursor": next_cursor}


@router.post(
    "/persons/{person_id}/screenings",
    response={201: ScreeningOut},
    summary="Start a screening (draft)",
)
def start_screening(request: HttpRequest, person_id: str, payload: ScreeningStartIn):
    actor = request.membership
    person = selectors.person_for_action(
        actor=actor, person_id=person_id, permission="screening.conduct"
    )
    started = screening.screening_start(
        actor=actor,
        person=person,
        kind=payload.kind,
        lists=payload.lists,
        catalogue_version=payload.catalogue_version,
    )
    return Status(201, started)


@router.get(
    "/persons/{person_id}/screenings",
    response=ScreeningList,
    summary="A person's screenings, newest first",
)
def person_screenings(request: HttpRequest, person_id: str):
    actor = request.membership
    person = selectors.person_for_action(
        actor=actor, person_id=person_id, permission="screening.view"
    )
    return {"items": selectors.screenings_for_person(actor=actor, person=person)}


@router.get("/screenings/{screening_id}", response=ScreeningOut, summary="Open a screening")
def get_screening(request: HttpRequest, screening_id: str):
    return selectors.screening_get_for_view(actor=request.membership, screening_id=screening_id)


@router.post(
    "/screenings/{screening_id}/answers",
    response=ScreeningOut,
    summary="Save answers to a draft (merged; null clears)",
)
def save_answers(request: HttpRequest, screening_id: str, payload: AnswersIn):
    actor = request.membership
    draft = selectors.screening_get_to_conduct(actor=actor, screening_id=screening_id)
    return screening.screening_save_answers(
        actor=actor,
        screening=draft,
        answers=payload.answers,
        catalogue_version=payload.catalogue_version,
    )


@router.post(
    "/screenings/{screening_id}/suspend",
    response=ScreeningOut,
    summary="Stop a draft for now, saying why",
)
def suspend_screening(request: HttpRequest, screening_id: str, payload: SuspendIn):
    actor = request.membership
    draft = selectors.screening_get_to_conduct(actor=actor, screening_id=screening_id)
    return screening.screening_suspend(
        actor=actor, screening=draft, reason=payload.reason, note=payload.note
    )


@router.post(
    "/screenings/{screening_id}/complete",
    response=ScreeningOut,
    summary="Complete a draft: apply the rule and store the result",
)
def complete_screening(request: HttpRequest, screening_id: str, payload: CompleteIn):
    """Send `{}`, or name the catalogue version the answers were given for, to be sure."""
    actor = request.membership
    draft = selectors.screening_get_to_conduct(actor=actor, screening_id=screening_id)
    return screening.screening_complete(
        actor=actor, screening=draft, catalogue_version=payload.catalogue_version
    )
