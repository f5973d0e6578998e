from __future__ import annotations

import datetime
import uuid
from typing import Annotated

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict, StringConstraints

from punte.core.api_support import CursorPage, StrictSchema, paginate_by_cursor
from punte.identification.persons import selectors, services
from punte.identification.persons.models import DocumentType, Person, Sex

# Operation ids are published in the OpenAPI document: they keep the module they were first
# published from (punte.core.api_support.PunteAPI).
OPERATION_ID_PREFIX = "punte_identification_api"

router = Router(tags=["persons"])


class IdentityDocumentIn(StrictSchema):
    type: DocumentType
    number: str = Field(min_length=1, max_length=services.MAX_DOCUMENT_NUMBER)
    issuing_country: str | None = Field(
        None, min_length=2, max_length=2, description="ISO 3166-1 alpha-2"
    )


class PersonIn(StrictSchema):
    # A person is recorded with a name, an alias, or as of unknown identity (the service's rule,
    # stated in the document so that a generated client knows it).
    model_config = ConfigDict(
        **StrictSchema.model_config,
        json_schema_extra={
            "anyOf": [
                {"required": ["given_name"]},
                {"required": ["family_name"]},
                {"required": ["aliases"]},
                {
                    "required": ["identity_unknown"],
                    "properties": {"identity_unknown": {"const": True}},
                },
            ]
        },
    )

    given_name: str | None = Field(None, max_length=200)
    family_name: str | None = Field(None, max_length=200)
    aliases: list[Annotated[str, StringConstraints(max_length=200)]] | None = Field(
        None, max_length=20
    )
    date_of_birth: datetime.date | None = None
    birth_year: int | None = Field(
        None,
        ge=1900,
        le=2100,
        description="Within the last 120 years, not after this year (checked against today)",
    )
    approximate_age: int | None = Field(
        None,
        ge=0,
        le=services.MAX_AGE,
        description="When the date of birth is unknown: the age as estimated",
    )
    age_estimated_on: datetime.date | None = Field(
        None, description="The day of the estimate (today if not given)"
    )
    may_be_child: bool = Field(
        False, description="Age unknown and the person may be a child: treated as a child"
    )
    sex: Sex = Sex.UNKNOWN
    citizenship: str | None = Field(
        None,
        min_length=2,
        max_length=2,
        description="ISO 3166-1 alpha-2; the primary citizenship (first of `citizenships`)",
    )
    citizenships: list[Annotated[str, StringConstraints(min_length=2, max_length=2)]] | None = (
        Field(None, max_length=services.MAX_CITIZENSHIPS, description="ISO 3166-1 alpha-2 codes")
    )
    languages: list[Annotated[str, StringConstraints(min_length=3, max_length=3)]] | None = Field(
        None, max_length=services.MAX_LANGUAGES, description="ISO 639-3 codes"
    )
    identity_documents: list[IdentityDocumentIn] = Field(
        default_factory=list, max_length=services.MAX_DOCUMENTS
    )
    contact: str | None = Field(None, max_length=500)
    notes: str | None = Field(None, max_length=5000)
    identity_unknown: bool = False

    def to_input(self) -> services.PersonInput:
        values = self.model_dump(exclude={"identity_documents"})
        documents = [
            services.IdentityDocumentInput(**d.model_dump()) for d in self.identity_documents
        ]
        return services.PersonInput(**values, identity_documents=documents)


class PersonSummary(Schema):
    id: uuid.UUID
    created_at: datetime.datetime
    sex: str
    birth_year: int | None
    citizenship: str | None = Field(None, alias="citizenship_id")
    identity_unknown: bool


class IdentityDocumentOut(Schema):
    type: str
    number: str
    issuing_country: str | None


class PersonOut(PersonSummary):
    given_name: str | None
    family_name: str | None
    aliases: list[str] | None
    date_of_birth: datetime.date | None
    approximate_age: int | None
    age_estimated_on: datetime.date | None
    may_be_child: bool
    treated_as_child: bool
    citizenships: list[str]
    languages: list[str]
    identity_documents: list[IdentityDocumentOut]
    contact: str | None
    notes: str | None
    owner_organisation_id: uuid.UUID

    @staticmethod
    def resolve_treated_as_child(person: Person) -> bool:
        return person.is_treated_as_child(timezone.localdate())

    @staticmethod
    def resolve_citizenships(person: Person) -> list[str]:
        return person.citizenship_codes

    @staticmethod
    def resolve_languages(person: Person) -> list[str]:
        # all(): the opened record brings its languages with it (selectors._visible_person).
        return sorted(language.code for language in person.languages.all())

    @staticmethod
    def resolve_identity_documents(person: Person) -> list[dict]:
        return person.identity_documents or []


@router.get("/persons", response=CursorPage[PersonSummary], summary="Persons visible to you")
def list_persons(request: HttpRequest, cursor: str | None = None, limit: int = 50):
    """Newest first. Names are not listed: opening a record is what the audit trail counts."""
    rows, next_cursor = paginate_by_cursor(
        selectors.person_list_visible_to(actor=request.membership), cursor=cursor, limit=limit
    )
    return {"items": rows, "next_cursor": next_cursor}


class PersonSearchIn(StrictSchema):
    family_name: str | None = Field(None, max_length=200)
    given_name: str | None = Field(None, max_length=200)
    date_of_birth: datetime.date | None = None
    cursor: str | None = Field(None, max_length=512)
    limit: int = Field(50, ge=1, le=200)


# Declared before /persons/{person_id}, which would otherwise take "search" for an id.
@router.post(
    "/persons/search", response=CursorPage[PersonSummary], summary="Find persons by exact match"
)
def search_persons(request: HttpRequest, payload: PersonSearchIn):
    """Exact match on every criterion given, ignoring case, diacritics and ş/ș, ţ/ț forms.

    A POST with a JSON body, not a GET: the criteria are names, and names must never appear in
    a URL, where access logs and browser histories would keep them. Results are summaries, as
    in the list; the search is written to the audit trail with its result count only.
    """
    rows, next_cursor = selectors.person_search_results(
        actor=request.membership,
        family_name=payload.family_name,
        given_name=payload.given_name,
        date_of_birth=payload.date_of_birth,
        cursor=payload.cursor,
        limit=payload.limit,
    )
    return {"items": rows, "next_cursor": next_cursor}


@router.get("/persons/{person_id}", response=PersonOut, summary="Open a person's record")
def get_person(request: HttpRequest, person_id: str) -> Person:
    return selectors.person_get_for_view(actor=request.membership, person_id=person_id)


@router.post("/persons", response={201: PersonOut}, summary="Record a person")
def create_person(request: HttpRequest, payload: PersonIn):
    person = services.person_create(actor=request.membership, data=payload.to_input())
    return Status(201, person)


@router.put("/persons/{person_id}", response=PersonOut, summary="Change a person's record")
def update_person(request: HttpRequest, person_id: str, payload: PersonIn) -> Person:
    """Send the whole record: what is left out is cleared (what is known, and no more)."""
    return services.person_update(
        actor=request.membership, person_id=person_id, data=payload.to_input()
    )
