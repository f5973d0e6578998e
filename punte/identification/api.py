from __future__ import annotations

import datetime
import uuid

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from punte.core.api_support import CursorPage, StrictSchema, paginate_by_cursor
from punte.identification import selectors, services
from punte.identification.models import Person, Sex

router = Router(tags=["persons"])


class PersonIn(StrictSchema):
    given_name: str | None = Field(None, max_length=200)
    family_name: str | None = Field(None, max_length=200)
    aliases: list[str] | None = Field(None, max_length=20)
    date_of_birth: datetime.date | None = None
    birth_year: int | None = None
    sex: Sex = Sex.UNKNOWN
    citizenship: str | None = Field(None, min_length=2, max_length=2,
                                    description="ISO 3166-1 alpha-2")
    contact: str | None = Field(None, max_length=500)
    notes: str | None = Field(None, max_length=5000)
    identity_unknown: bool = False


class PersonSummary(Schema):
    id: uuid.UUID
    created_at: datetime.datetime
    sex: str
    birth_year: int | None
    citizenship: str | None = Field(None, alias="citizenship_id")
    identity_unknown: bool


class PersonOut(PersonSummary):
    given_name: str | None
    family_name: str | None
    aliases: list[str] | None
    date_of_birth: datetime.date | None
    contact: str | None
    notes: str | None
    owner_organisation_id: uuid.UUID


@router.get("/persons", response=CursorPage[PersonSummary], summary="Persons visible to you")
def list_persons(request: HttpRequest, cursor: str | None = None, limit: int = 50):
    """Newest first. Names are not listed: opening a record is what the audit trail counts."""
    rows, next_cursor = paginate_by_cursor(
        selectors.person_list_visible_to(actor=request.membership), cursor=cursor, limit=limit
    )
    return {"items": rows, "next_cursor": next_cursor}


@router.get("/persons/{person_id}", response=PersonOut, summary="Open a person's record")
def get_person(request: HttpRequest, person_id: str) -> Person:
    return selectors.person_get_for_view(actor=request.membership, person_id=person_id)


@router.post("/persons", response={201: PersonOut}, summary="Record a person")
def create_person(request: HttpRequest, payload: PersonIn):
    person = services.person_create(
        actor=request.membership, data=services.PersonInput(**payload.model_dump())
    )
    return Status(201, person)
