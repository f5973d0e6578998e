"""Consent events and anonymous notifications."""

from __future__ import annotations

import datetime
import uuid
from typing import Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from punte.core.api_support import CursorPage, StrictSchema, paginate_by_cursor
from punte.identification.screening import selectors
from punte.identification.screening.services import consent
from punte.identification.signals.models import ExploitationForm

# Operation ids are published in the OpenAPI document: they keep the module they were first
# published from (punte.core.api_support.PunteAPI).
OPERATION_ID_PREFIX = "punte_identification_api_mechanism"

router = Router()


class ConsentIn(StrictSchema):
    purpose: Literal["referral", "data_sharing"]
    decision: Literal["consented", "refused", "withdrawn"]
    decided_on: datetime.date
    rights_language: Literal["ro", "en", "uk"] = Field(
        ..., description="The language the rights information was given in."
    )
    note: str | None = Field(None, max_length=2000)


class ConsentEventOut(Schema):
    id: uuid.UUID
    purpose: str
    decision: str
    decided_on: datetime.date
    rights_language: str
    organisation_id: uuid.UUID
    recorded_at: datetime.datetime


class ConsentOut(Schema):
    referral: str
    data_sharing: str
    events: list[ConsentEventOut]


@router.get(
    "/persons/{person_id}/consent",
    response=ConsentOut,
    summary="A person's consent today and its history",
)
def get_consent(request: HttpRequest, person_id: str):
    """States: child (no consent needed), consented, refused, withdrawn, not_asked."""
    actor = request.membership
    person = selectors.person_for_action(actor=actor, person_id=person_id, permission="person.view")
    today = timezone.localdate()
    return {
        "referral": consent.referral_consent_state(person, today),
        "data_sharing": consent.data_sharing_consent_state(person, today),
        "events": consent.consent_history(person),
    }


@router.post(
    "/persons/{person_id}/consent",
    response={201: ConsentEventOut},
    summary="Record an adult's decision on consent",
)
def record_consent(request: HttpRequest, person_id: str, payload: ConsentIn):
    actor = request.membership
    person = selectors.person_for_action(
        actor=actor, person_id=person_id, permission="consent.record"
    )
    event = consent.consent_record(actor=actor, person=person, **payload.model_dump())
    return Status(201, event)


class AnonymousNotificationIn(StrictSchema):
    sex: Literal["female", "male", "other", "unknown"]
    age_group: Literal["child", "adult"]
    citizenship_group: Literal["national", "eu", "non_eu", "unknown"]
    exploitation_forms: list[ExploitationForm] = Field(..., min_length=1, max_length=9)
    county: str | None = Field(None, max_length=6, description="ISO 3166-2:RO; default: yours")
    notified_on: datetime.date


class PersonNotificationIn(StrictSchema):
    exploitation_forms: list[ExploitationForm] = Field(..., min_length=1, max_length=9)
    notified_on: datetime.date


class AnonymousNotificationOut(Schema):
    id: uuid.UUID
    sex: str
    age_group: str
    citizenship_group: str
    exploitation_forms: list[str]
    county: str = Field(..., alias="county_id")
    organisation_id: uuid.UUID
    notified_on: datetime.date
    created_at: datetime.datetime


@router.get(
    "/anonymous-notifications",
    response=CursorPage[AnonymousNotificationOut],
    summary="Anonymous notifications you may see",
)
def list_anonymous_notifications(request: HttpRequest, cursor: str | None = None, limit: int = 50):
    rows, next_cursor = paginate_by_cursor(
        selectors.anonymous_notifications_visible_to(actor=request.membership),
        cursor=cursor,
        limit=limit,
    )
    return {"items": rows, "next_cursor": next_cursor}


@router.post(
    "/anonymous-notifications",
    response={201: AnonymousNotificationOut},
    summary="Count a presumed victim without consent, anonymously",
)
def create_anonymous_notification(request: HttpRequest, payload: AnonymousNotificationIn):
    row = consent.anonymous_notification_record(actor=request.membership, **payload.model_dump())
    return Status(201, row)


@router.post(
    "/persons/{person_id}/anonymous-notification",
    response={201: AnonymousNotificationOut},
    summary="Notify anonymously from a person's record (nothing links back to them)",
)
def notify_from_person(request: HttpRequest, person_id: str, payload: PersonNotificationIn):
    actor = request.membership
    person = selectors.person_for_action(
        actor=actor, person_id=person_id, permission="consent.record"
    )
    row = consent.anonymous_notification_from_person(
        actor=actor,
        person=person,
        exploitation_forms=payload.exploitation_forms,
        notified_on=payload.notified_on,
    )
    return Status(201, row)
