"""/api/v1/referrals..., /api/v1/persons/{id}/routing and /referrals, /api/v1/services."""

from __future__ import annotations

import datetime
import json
import uuid

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from punte.accounts.auth import BearerTokenAuth, SessionAuth
from punte.core.api_support import (
    CursorPage,
    StrictSchema,
    documented_problems,
    paginate_by_cursor,
)
from punte.core.errors import ServiceError
from punte.identification.persons import selectors as person_selectors
from punte.referrals import lifecycle, registry, routing, selectors, services
from punte.referrals.models import Referral, ReferralStatus, ServiceType
from punte.referrals.rules import current_ruleset

NO_RULES = documented_problems({503: "No routing rules are loaded (load_routing_rules)"})

router = Router(tags=["referrals"])


class OrganisationRef(Schema):
    id: uuid.UUID
    name: str
    type: str
    county: str | None = Field(None, alias="county_id")


class WorklistOrganisation(Schema):
    id: uuid.UUID
    name: str
    type: str
    county: str | None


class ReferralOut(Schema):
    id: uuid.UUID
    status: ReferralStatus
    purpose: str
    rule_code: str | None
    service: str | None
    person_id: uuid.UUID
    sender_organisation: OrganisationRef
    receiver_organisation: OrganisationRef
    county: str
    is_child: bool
    created_at: datetime.datetime
    due_at: datetime.datetime | None
    overdue: bool
    escalated_at: datetime.datetime | None

    @staticmethod
    def resolve_purpose(obj: Referral) -> str:
        return str(obj.purpose_label)

    @staticmethod
    def resolve_rule_code(obj: Referral) -> str | None:
        return obj.rule.code if obj.rule_id else None

    @staticmethod
    def resolve_service(obj: Referral) -> str | None:
        return obj.service or None

    @staticmethod
    def resolve_county(obj: Referral) -> str:
        return obj.county_id

    @staticmethod
    def resolve_overdue(obj: Referral) -> bool:
        return obj.is_open and obj.due_at is not None and obj.due_at < timezone.now()


class EventOut(Schema):
    action: str
    from_status: str
    to_status: str
    occurred_at: datetime.datetime
    organisation: str | None
    reason: str | None
    due_at: datetime.datetime | None

    @staticmethod
    def resolve_organisation(obj) -> str | None:
        return obj.organisation.name if obj.organisation_id else None


class ReferralDetail(ReferralOut):
    note: str | None
    consent_state: str
    rules_version: str
    allowed_transitions: list[str]
    events: list[EventOut]

    @staticmethod
    def resolve_rules_version(obj: Referral) -> str:
        return obj.ruleset.version

    @staticmethod
    def resolve_allowed_transitions(obj: Referral) -> list[str]:
        return lifecycle.allowed_next(obj.status)

    @staticmethod
    def resolve_events(obj: Referral):
        return selectors.referral_events(referral=obj)


class ReasonIn(StrictSchema):
    reason: str = Field(..., min_length=1, max_length=2000)


@router.get("/referrals", response=CursorPage[ReferralOut], summary="Referrals visible to you")
def list_referrals(
    request: HttpRequest,
    status: ReferralStatus | None = None,
    cursor: str | None = None,
    limit: int = 50,
):
    """Sent or received by your organisation (your own, for a role of scope "own"), newest
    first. Persons are given by id: open a record through /persons/{id}, which is audited."""
    referrals = selectors.referral_list_visible_to(actor=request.membership).select_related(
        "sender_organisation", "receiver_organisation", "rule"
    )
    if status:
        referrals = referrals.filter(status=status)
    rows, next_cursor = paginate_by_cursor(referrals, cursor=cursor, limit=limit)
    return {"items": rows, "next_cursor": next_cursor}


class WorklistItem(Schema):
    """ReferralOut's fields, read from the worklist's own query (no model instances)."""

    id: uuid.UUID
    status: ReferralStatus
    purpose: str
    rule_code: str | None
    service: str | None
    person_id: uuid.UUID
    sender_organisation: WorklistOrganisation
    receiver_organisation: WorklistOrganisation
    county: str
    is_child: bool
    created_at: datetime.datetime
    due_at: datetime.datetime | None
    overdue: bool
    escalated_at: datetime.datetime | None


class WorklistBearerAuth(BearerTokenAuth):
    """BearerTokenAuth, with the page asked for in the same round trip as the token
    (selectors.worklist_page_with_token, ADR 0013); the token is judged exactly as everywhere."""

    def authenticate(self, request, token: str):
        cursor, limit = request.GET.get("cursor"), request.GET.get("limit")
        page = selectors.worklist_page_with_token(
            request, token.strip(), cursor=cursor, limit=limit
        )
        if isinstance(page, tuple):
            request.worklist_page = (
                cursor,
                selectors.WORKLIST_PAGE if limit is None else int(limit),
                page,
            )
        return super().authenticate(request, token)


@router.get(
    "/referrals/incoming",
    response=CursorPage[WorklistItem],
    summary="Worklist: referrals your organisation must answer or complete",
    auth=[WorklistBearerAuth(), SessionAuth()],
)
def incoming_referrals(
    request: HttpRequest, cursor: str | None = None, limit: int = selectors.WORKLIST_PAGE
):
    """Open referrals to your organisation, the soonest deadline first (keyset pagination on
    the deadline). Overdue ones carry `overdue: true`."""
    read = getattr(request, "worklist_page", None)
    if read is not None and read[:2] == (cursor, limit):
        items, next_cursor = read[2]
    else:
        items, next_cursor = selectors.worklist_page(
            actor=request.membership, cursor=cursor, limit=limit
        )
    # The selector's items are already this schema's JSON text (test_worklist_sql.py validates
    # them against it): re-validating a page item by item cost more than the query.
    body = f'{{"items": {items}, "next_cursor": {json.dumps(next_cursor)}}}'
    return HttpResponse(body, content_type="application/json")


@router.get(
    "/referrals/awaiting",
    response=CursorPage[ReferralOut],
    summary="Referrals you sent that await an answer",
)
def awaiting_referrals(request: HttpRequest, cursor: str | None = None, limit: int = 50):
    rows, next_cursor = paginate_by_cursor(
        selectors.referral_awaiting_answer(actor=request.membership).select_related(
            "sender_organisation", "receiver_organisation", "rule"
        ),
        cursor=cursor,
        limit=limit,
    )
    return {"items": rows, "next_cursor": next_cursor}


@router.get(
    "/referrals/overdue",
    response=CursorPage[ReferralOut],
    summary="Overdue referrals in the whole country (national agency)",
)
def overdue_referrals(request: HttpRequest, cursor: str | None = None, limit: int = 50):
    rows, next_cursor = selectors.paginate_by_deadline(
        selectors.referrals_overdue_national(actor=request.membership).select_related(
            "sender_organisation", "receiver_organisation", "rule"
        ),
        cursor=cursor,
        limit=limit,
    )
    return {"items": rows, "next_cursor": next_cursor}


@router.get("/referrals/{referral_id}", response=ReferralDetail, summary="Open a referral")
def get_referral(request: HttpRequest, referral_id: str):
    return selectors.referral_get(actor=request.membership, referral_id=referral_id)


def _transition(request: HttpRequest, referral_id: str, to_status: str, reason: str | None = None):
    services.referral_transition(
        actor=request.membership, referral_id=referral_id, to_status=to_status, reason=reason
    )
    return selectors.referral_get(actor=request.membership, referral_id=referral_id)


@router.post(
    "/referrals/{referral_id}/accept", response=ReferralDetail, summary="Accept (receiver)"
)
def accept_referral(request: HttpRequest, referral_id: str):
    """Grants your organisation access to this person's record (and no other's). Of two
    acceptances at the same moment one succeeds; the other gets 409."""
    return _transition(request, referral_id, ReferralStatus.ACCEPTED)


@router.post(
    "/referrals/{referral_id}/reject", response=ReferralDetail, summary="Reject (receiver)"
)
def reject_referral(request: HttpRequest, referral_id: str, payload: ReasonIn):
    return _transition(request, referral_id, ReferralStatus.REJECTED, payload.reason)


@router.post(
    "/referrals/{referral_id}/complete", response=ReferralDetail, summary="Complete (receiver)"
)
def complete_referral(request: HttpRequest, referral_id: str):
    return _transition(request, referral_id, ReferralStatus.COMPLETED)


@router.post(
    "/referrals/{referral_id}/withdraw", response=ReferralDetail, summary="Withdraw (sender)"
)
def withdraw_referral(request: HttpRequest, referral_id: str, payload: ReasonIn):
    return _transition(request, referral_id, ReferralStatus.WITHDRAWN, payload.reason)


# --- Routing a person ---------------------------------------------------------------------


class ProposalOut(Schema):
    rule_code: str
    target_type: str
    explanation: str
    mandatory: bool = True
    respond_within_hours: int
    complete_within_days: int
    candidates: list[OrganisationRef]
    satisfied_by_sender: bool
    already_open_referral_id: uuid.UUID | None
    unresolved: bool
    problem: str


class OfferingOut(Schema):
    id: uuid.UUID
    service: str
    county: str = Field(..., alias="county_id")
    organisation: OrganisationRef
    notes: str


class RoutingOut(Schema):
    rules_version: str
    county: str
    is_child: bool
    is_foreign_national: bool
    consent_state: str
    can_send: bool
    proposals: list[ProposalOut]
    service_offerings: list[OfferingOut]


def _person_for_referral(request: HttpRequest, person_id: str):
    """The person, opened (and audited) as the record page does; 404 without referral.send."""
    if not request.membership.has_perm("referral.send"):
        raise Http404
    return person_selectors.person_get_for_view(actor=request.membership, person_id=person_id)


def _county(request: HttpRequest, county: str | None):
    from punte.core.models import County

    code = county or request.membership.organisation.county_id
    found = County.objects.filter(code=code).first() if code else None
    if found is None:
        raise ServiceError("county", "Give the county of the case (ISO 3166-2:RO code).")
    return found


@router.get(
    "/persons/{person_id}/routing",
    response=RoutingOut,
    summary="The referrals the routing rules propose for a person, explained",
    openapi_extra=NO_RULES,
)
def person_routing(request: HttpRequest, person_id: str, county: str | None = None):
    person = _person_for_referral(request, person_id)
    ruleset = current_ruleset()
    if ruleset is None:
        raise ServiceError(None, "No routing rules are loaded.", status=503)
    place = _county(request, county)
    today = timezone.localdate()
    result = routing.route(
        person=person,
        county=place,
        sender=request.membership.organisation,
        ruleset=ruleset,
        on=today,
    )
    consent = services._consent_state(person, today)
    return {
        "rules_version": ruleset.version,
        "county": place.code,
        "is_child": result.is_child,
        "is_foreign_national": result.is_foreign_national,
        "consent_state": consent,
        "can_send": result.is_child or consent in services.CONSENT_OK,
        "proposals": [
            {
                "rule_code": p.rule.code,
                "target_type": p.rule.target_type,
                "explanation": p.rule.explanation,
                "respond_within_hours": p.deadlines["respond_hours"],
                "complete_within_days": p.deadlines["complete_days"],
                "candidates": p.candidates,
                "satisfied_by_sender": p.satisfied_by_sender,
                "already_open_referral_id": p.already_open.pk if p.already_open else None,
                "unresolved": p.unresolved,
                "problem": p.problem,
            }
            for p in result.proposals
        ],
        "service_offerings": list(
            routing.service_offerings_for(county=place, exclude=request.membership.organisation)
        ),
    }


class ReferralItemIn(StrictSchema):
    receiver_organisation_id: uuid.UUID
    rule_code: str | None = Field(None, max_length=64)
    service: ServiceType | None = None


class SendIn(StrictSchema):
    county: str | None = Field(None, max_length=6, description="ISO 3166-2:RO; default: yours")
    note: str | None = Field(None, max_length=5000)
    referrals: list[ReferralItemIn] = Field(..., min_length=1, max_length=20)


class SendOut(Schema):
    referrals: list[ReferralOut]
    unresolved_rules: list[str]


@router.post(
    "/persons/{person_id}/referrals",
    response={201: SendOut},
    summary="Send referrals for a person (all or none)",
    openapi_extra=NO_RULES,
)
def send_referrals(request: HttpRequest, person_id: str, payload: SendIn):
    """An adult needs recorded consent to referral; a child never does. A referral for a
    service must go to an organisation the service registry lists for it in the county.
    `unresolved_rules` names mandatory referrals no organisation is registered for: the
    national agency is told."""
    person = _person_for_referral(request, person_id)
    place = _county(request, payload.county)
    result = services.referrals_send(
        actor=request.membership,
        person=person,
        county_code=place.code,
        note=payload.note,
        requests=[
            services.ReferralRequest(
                receiver_organisation_id=item.receiver_organisation_id,
                rule_code=item.rule_code,
                service=item.service.value if item.service else None,
            )
            for item in payload.referrals
        ],
    )
    return Status(
        201,
        {
            "referrals": result.referrals,
            "unresolved_rules": [rule.code for rule in result.unresolved],
        },
    )


# --- The service registry -----------------------------------------------------------------


@router.get("/services", response=list[OfferingOut], summary="The service registry")
def list_services(request: HttpRequest, county: str | None = None, service: str | None = None):
    """Which organisation offers which service in which county. Not personal data: readable
    by every role that may see the registry of organisations."""
    if not request.membership.has_perm("organisation.view"):
        raise Http404
    return list(selectors.service_offering_list(county_code=county, service=service))


class OfferingIn(StrictSchema):
    organisation_id: uuid.UUID
    service: ServiceType
    county: str = Field(..., max_length=6)
    notes: str = Field("", max_length=500)


@router.post("/services", response={201: OfferingOut}, summary="Add to the service registry")
def create_service(request: HttpRequest, payload: OfferingIn):
    offering = registry.service_offering_create(
        actor=request.membership,
        organisation_id=payload.organisation_id,
        service=payload.service.value,
        county_code=payload.county,
        notes=payload.notes,
    )
    return Status(201, offering)


@router.post(
    "/services/{offering_id}/archive", response=OfferingOut, summary="Withdraw from the registry"
)
def archive_service(request: HttpRequest, offering_id: str, payload: ReasonIn):
    if not request.membership.has_perm("service.manage"):
        raise Http404
    return registry.service_offering_archive(
        actor=request.membership, offering_id=offering_id, reason=payload.reason
    )
