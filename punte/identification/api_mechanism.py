"""API for screenings, consent, anonymous notifications, decisions and reflection periods.

Thin: validate the shape, find the record through a scoped selector (404 outside scope), call a
service. Errors are problem documents naming the field (core.api_support).
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any, Literal

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from punte.core.api_support import CursorPage, StrictSchema, paginate_by_cursor
from punte.core.errors import ServiceError
from punte.identification import consent, decisions, screening
from punte.identification import selectors_mechanism as selectors
from punte.identification.catalogue.store import CatalogueNotLoaded, catalogue_from_db
from punte.identification.catalogue.vocabulary import LIST_POPULATION, IndicatorList
from punte.identification.models import IndicatorCatalogue
from punte.identification.models_decision import IdentificationDecision
from punte.identification.models_screening import Screening

router = Router(tags=["screening, consent and decisions"])


# --- Indicator catalogue ---------------------------------------------------------------------


class IndicatorOut(Schema):
    code: str
    list: str
    dimension: str
    grade: str
    text_en: str
    text_ro: str
    maps_to: list[str]


class CatalogueListOut(Schema):
    list: str
    population: str
    text_en: str
    text_ro: str


class CatalogueOut(Schema):
    version: str
    title: str
    lists: list[CatalogueListOut]
    indicators: list[IndicatorOut]


@router.get(
    "/indicator-catalogues/{version}",
    response=CatalogueOut,
    summary="An indicator catalogue version ('latest' for the newest)",
)
def get_catalogue(request: HttpRequest, version: str):
    """The codes a screening's answers use, their lists, dimensions, grades and texts."""
    if not request.membership.has_perm("screening.view"):
        raise Http404
    row = (
        IndicatorCatalogue.objects.order_by("-published_at", "-id").first()
        if version == "latest"
        else IndicatorCatalogue.objects.filter(version=version).first()
    )
    if row is None:
        raise Http404
    try:
        loaded = catalogue_from_db(row.version)
    except CatalogueNotLoaded as exc:
        raise Http404 from exc
    return {
        "version": row.version,
        "title": row.title,
        "lists": [
            {
                "list": item["list"],
                "population": LIST_POPULATION[IndicatorList(item["list"])].value,
                "text_en": item["text_en"],
                "text_ro": item["text_ro"],
            }
            for item in row.lists
        ],
        "indicators": [
            {
                "code": i.code,
                "list": i.list,
                "dimension": i.dimension,
                "grade": i.grade,
                "text_en": i.text_en,
                "text_ro": i.text_ro,
                "maps_to": list(i.maps_to),
            }
            for i in loaded.indicators.values()
        ],
    }


# --- Screenings ------------------------------------------------------------------------------


class ScreeningStartIn(StrictSchema):
    kind: Literal["full", "short"]
    lists: list[str] = Field(default_factory=list, max_length=9)
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
    draft = selectors.screening_get_for_update(actor=actor, screening_id=screening_id)
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
    draft = selectors.screening_get_for_update(actor=actor, screening_id=screening_id)
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
    draft = selectors.screening_get_for_update(actor=actor, screening_id=screening_id)
    return screening.screening_complete(
        actor=actor, screening=draft, catalogue_version=payload.catalogue_version
    )


# --- Consent and anonymous notification ------------------------------------------------------


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
    exploitation_forms: list[str] = Field(..., max_length=9)
    county: str | None = Field(None, max_length=6, description="ISO 3166-2:RO; default: yours")
    notified_on: datetime.date


class PersonNotificationIn(StrictSchema):
    exploitation_forms: list[str] = Field(..., max_length=9)
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


# --- Decisions and reflection periods --------------------------------------------------------


class DecisionIn(StrictSchema):
    outcome: Literal["presumed_victim", "identified_victim", "not_a_victim"]
    decided_on: datetime.date
    grounds: str = Field(..., max_length=10000)
    exploitation_forms: list[str] = Field(default_factory=list, max_length=9)


class DecisionOut(Schema):
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
    items: list[DecisionOut]
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
    response={201: DecisionOut},
    summary="Record an identification decision (competent authorities)",
)
def record_decision(request: HttpRequest, person_id: str, payload: DecisionIn):
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
    request: HttpRequest, within_days: int = 14, cursor: str | None = None, limit: int = 50
):
    if not 0 <= within_days <= 90:
        raise ServiceError("within_days", "within_days must be between 0 and 90.", status=400)
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
    period = selectors.reflection_period_get_for_update(actor=actor, period_id=period_id)
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
    period = selectors.reflection_period_get_for_update(actor=actor, period_id=period_id)
    return decisions.reflection_period_terminate(
        actor=actor, period=period, on=payload.on, reason=payload.reason
    )
