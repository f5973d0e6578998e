"""/api/v1/cases..., /api/v1/case-transfers, /api/v1/case-services, /api/v1/case-follow-ups,
/api/v1/case-team: thin handlers over the cases' selectors and services."""

from __future__ import annotations

import datetime
import decimal
import uuid

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status

from punte.cases import lifecycle, selectors, services
from punte.cases.models import (
    Case,
    CaseService,
    CaseServiceStatus,
    CaseStatus,
    TransferStatus,
)
from punte.core.api_support import CursorPage, StrictSchema, paginate_by_cursor
from punte.core.errors import uuid_or_404
from punte.referrals.models import Referral

router = Router(tags=["cases"])


class CaseOrganisationRef(Schema):
    id: uuid.UUID
    name: str
    type: str


class CaseOut(Schema):
    id: uuid.UUID
    reference: str
    status: CaseStatus
    person_id: uuid.UUID
    owner_organisation: CaseOrganisationRef
    county: str
    is_child: bool
    referral_id: uuid.UUID | None
    decision_id: uuid.UUID | None
    closure_reason: str | None
    times_reopened: int
    created_at: datetime.datetime
    closed_at: datetime.datetime | None

    @staticmethod
    def resolve_county(obj: Case) -> str:
        return obj.county_id

    @staticmethod
    def resolve_closure_reason(obj: Case) -> str | None:
        return obj.closure_reason or None


class CaseTeamMemberOut(Schema):
    id: uuid.UUID
    membership_id: uuid.UUID
    organisation: CaseOrganisationRef
    role: str
    starts_on: datetime.date
    ends_on: datetime.date
    ended_at: datetime.datetime | None
    in_force: bool

    @staticmethod
    def resolve_in_force(obj) -> bool:
        return obj.in_force()


class CaseServiceOut(Schema):
    id: uuid.UUID
    case_id: uuid.UUID
    service: str
    status: CaseServiceStatus
    provider: CaseOrganisationRef
    requested_by_organisation: CaseOrganisationRef
    created_at: datetime.datetime
    delivered_from: datetime.date | None
    delivered_to: datetime.date | None
    units: decimal.Decimal | None
    unit: str | None
    allowed_transitions: list[str]

    @staticmethod
    def resolve_unit(obj: CaseService) -> str | None:
        return obj.unit or None

    @staticmethod
    def resolve_allowed_transitions(obj: CaseService) -> list[str]:
        return lifecycle.SERVICE_MACHINE.allowed_next(obj.status)


class CaseFollowUpOut(Schema):
    id: uuid.UUID
    case_id: uuid.UUID
    due_at: datetime.datetime
    purpose: str | None
    status: str
    done_at: datetime.datetime | None
    overdue: bool


class CaseTransferOut(Schema):
    id: uuid.UUID
    case_id: uuid.UUID
    from_organisation: CaseOrganisationRef
    to_organisation: CaseOrganisationRef
    status: TransferStatus
    created_at: datetime.datetime
    decided_at: datetime.datetime | None


class CaseEventOut(Schema):
    action: str
    from_status: str
    to_status: str
    occurred_at: datetime.datetime
    organisation: str | None
    reason: str | None
    details: dict

    @staticmethod
    def resolve_organisation(obj) -> str | None:
        return obj.organisation.name if obj.organisation_id else None


class CaseDetailOut(CaseOut):
    allowed_transitions: list[str]
    team: list[CaseTeamMemberOut]
    services: list[CaseServiceOut]
    follow_ups: list[CaseFollowUpOut]
    transfers: list[CaseTransferOut]
    restricted_sections: list[str]
    plan_version: int | None
    events: list[CaseEventOut]


class _Detail:
    """A case page read as CaseDetailOut: the case's own fields, and the page's lists (the
    case's reverse relations cannot be replaced on the instance)."""

    def __init__(self, page: selectors.CasePage):
        self._case = page.case
        self.allowed_transitions = lifecycle.CASE_MACHINE.allowed_next(page.case.status)
        self.team = page.team
        self.services = page.services
        self.follow_ups = page.follow_ups
        self.transfers = page.transfers
        self.restricted_sections = page.sections
        self.plan_version = page.plan.number if page.plan else None
        self.events = page.events

    def __getattr__(self, name):
        return getattr(self._case, name)


def _detail(page: selectors.CasePage) -> _Detail:
    return _Detail(page)


@router.get("/cases", response=CursorPage[CaseOut], summary="Assistance cases visible to you")
def list_cases(
    request: HttpRequest,
    status: CaseStatus | None = None,
    cursor: str | None = None,
    limit: int = 50,
):
    """Managed by your organisation, on whose team you are, or offered to your organisation,
    newest first. Persons are given by id: open a record through /persons/{id}, which is
    audited."""
    cases = selectors.case_list_visible_to(actor=request.membership).select_related(
        "owner_organisation"
    )
    if status:
        cases = cases.filter(status=status)
    rows, next_cursor = paginate_by_cursor(cases, cursor=cursor, limit=limit)
    return {"items": rows, "next_cursor": next_cursor}


class CaseCountyIn(StrictSchema):
    county: str | None = Field(None, max_length=6)


@router.post(
    "/referrals/{referral_id}/case",
    response={201: CaseDetailOut},
    summary="Open the assistance case of an accepted referral to your organisation",
)
def open_case_from_referral(request: HttpRequest, referral_id: str, payload: CaseCountyIn):
    """One case at a time for a person: a closed case is reopened instead (409 names it)."""
    actor = request.membership
    pk = uuid_or_404(referral_id)
    received = Referral.objects.filter(pk=pk, receiver_organisation_id=actor.organisation_id)
    if not actor.has_perm("case.manage") or not received.exists():
        raise Http404
    case = services.case_open(actor=actor, referral_id=referral_id, county_code=payload.county)
    return Status(201, _detail(selectors.case_page(actor=actor, case_id=case.pk)))


class CaseFromDecisionIn(StrictSchema):
    decision_id: uuid.UUID
    county: str | None = Field(None, max_length=6)


@router.post(
    "/cases",
    response={201: CaseDetailOut},
    summary="Open an assistance case from an identification decision",
)
def open_case_from_decision(request: HttpRequest, payload: CaseFromDecisionIn):
    actor = request.membership
    case = services.case_open(
        actor=actor, decision_id=payload.decision_id, county_code=payload.county
    )
    return Status(201, _detail(selectors.case_page(actor=actor, case_id=case.pk)))


@router.get("/cases/{case_id}", response=CaseDetailOut, summary="One case, with its history")
def get_case(request: HttpRequest, case_id: str):
    """Opening a case is audited. Restricted sections are named only if you may read them."""
    return _detail(selectors.case_page(actor=request.membership, case_id=case_id))


class CaseClosureIn(StrictSchema):
    closure_reason: str = Field(..., max_length=32)
    note: str | None = Field(None, max_length=4000)


class CaseReasonIn(StrictSchema):
    reason: str = Field(..., min_length=1, max_length=4000)


def _case_out(request, case_id):
    return _detail(selectors.case_page(actor=request.membership, case_id=case_id))


@router.post("/cases/{case_id}/closure-request", response=CaseDetailOut, summary="Ask to close")
def request_closure(request: HttpRequest, case_id: str, payload: CaseClosureIn):
    """The reason from the list (`closure_reason`); a supervisor of your organisation decides."""
    services.case_request_closure(
        actor=request.membership,
        case_id=case_id,
        closure_reason=payload.closure_reason,
        note=payload.note,
    )
    return _case_out(request, case_id)


@router.post(
    "/cases/{case_id}/closure-approval", response=CaseDetailOut, summary="Approve the closure"
)
def approve_closure(request: HttpRequest, case_id: str):
    """A supervisor of the managing organisation. Of two at once, the second is answered 409."""
    services.case_approve_closure(actor=request.membership, case_id=case_id)
    return _case_out(request, case_id)


@router.post(
    "/cases/{case_id}/closure-refusal", response=CaseDetailOut, summary="Refuse the closure"
)
def refuse_closure(request: HttpRequest, case_id: str, payload: CaseReasonIn):
    services.case_refuse_closure(actor=request.membership, case_id=case_id, reason=payload.reason)
    return _case_out(request, case_id)


@router.post("/cases/{case_id}/reopen", response=CaseDetailOut, summary="Reopen a closed case")
def reopen_case(request: HttpRequest, case_id: str, payload: CaseReasonIn):
    services.case_reopen(actor=request.membership, case_id=case_id, reason=payload.reason)
    return _case_out(request, case_id)


class CaseTransferIn(StrictSchema):
    to_organisation_id: uuid.UUID
    reason: str = Field(..., min_length=1, max_length=4000)


@router.post(
    "/cases/{case_id}/transfers",
    response={201: CaseTransferOut},
    summary="Offer the case to another case-manager organisation",
)
def request_transfer(request: HttpRequest, case_id: str, payload: CaseTransferIn):
    transfer = services.case_transfer_request(
        actor=request.membership,
        case_id=case_id,
        to_organisation_id=payload.to_organisation_id,
        reason=payload.reason,
    )
    return Status(201, transfer)


def _transfer(request, transfer_id, to_status, reason=None):
    return services.case_transfer_decide(
        actor=request.membership, transfer_id=transfer_id, to_status=to_status, reason=reason
    )


@router.post(
    "/case-transfers/{transfer_id}/accept",
    response=CaseTransferOut,
    summary="Take over a case offered to your organisation",
)
def accept_transfer(request: HttpRequest, transfer_id: str):
    return _transfer(request, transfer_id, TransferStatus.ACCEPTED)


@router.post(
    "/case-transfers/{transfer_id}/decline",
    response=CaseTransferOut,
    summary="Decline a case offered to your organisation",
)
def decline_transfer(request: HttpRequest, transfer_id: str, payload: CaseReasonIn):
    return _transfer(request, transfer_id, TransferStatus.DECLINED, payload.reason)


@router.post(
    "/case-transfers/{transfer_id}/withdraw",
    response=CaseTransferOut,
    summary="Withdraw the offer of a case",
)
def withdraw_transfer(request: HttpRequest, transfer_id: str, payload: CaseReasonIn):
    return _transfer(request, transfer_id, TransferStatus.WITHDRAWN, payload.reason)


# --- Assessment and plan ----------------------------------------------------------------------


class CaseNeedIn(StrictSchema):
    level: str = Field(..., max_length=8)
    note: str | None = Field(None, max_length=2000)


class CaseAssessmentIn(StrictSchema):
    assessed_on: datetime.date
    needs: dict[str, CaseNeedIn]
    retrafficking_risk: str = Field(..., max_length=8)
    risk_factors: str | None = Field(None, max_length=4000)


class CaseAssessmentOut(Schema):
    id: uuid.UUID
    assessed_on: datetime.date
    needs: dict
    retrafficking_risk: str
    risk_factors: str | None
    organisation: CaseOrganisationRef
    created_at: datetime.datetime


@router.post(
    "/cases/{case_id}/assessments",
    response={201: CaseAssessmentOut},
    summary="Record a needs and risk assessment",
)
def record_assessment(request: HttpRequest, case_id: str, payload: CaseAssessmentIn):
    assessment = services.assessment_record(
        actor=request.membership,
        case_id=case_id,
        assessed_on=payload.assessed_on,
        needs={area: need.dict() for area, need in payload.needs.items()},
        retrafficking_risk=payload.retrafficking_risk,
        risk_factors=payload.risk_factors,
    )
    return Status(201, assessment)


@router.get(
    "/cases/{case_id}/assessments",
    response=list[CaseAssessmentOut],
    summary="A case's assessments, latest first",
)
def list_assessments(request: HttpRequest, case_id: str):
    case = selectors.case_get(actor=request.membership, case_id=case_id)
    return list(case.assessments.select_related("organisation"))


class CasePlanGoalIn(StrictSchema):
    key: uuid.UUID | None = None
    area: str = Field(..., max_length=16)
    goal: str = Field(..., max_length=2000)
    responsible_organisation_id: uuid.UUID
    starts_on: datetime.date
    due_on: datetime.date
    status: str = Field("planned", max_length=16)


class CasePlanIn(StrictSchema):
    goals: list[CasePlanGoalIn] = Field(..., max_length=50)
    review_on: datetime.date | None = None
    summary: str | None = Field(None, max_length=2000)


class CasePlanGoalOut(Schema):
    key: uuid.UUID
    position: int
    area: str
    goal: str | None
    responsible_organisation: CaseOrganisationRef
    starts_on: datetime.date
    due_on: datetime.date
    status: str


class CasePlanVersionOut(Schema):
    number: int
    saved_at: datetime.datetime
    organisation: CaseOrganisationRef
    review_on: datetime.date | None
    summary: str | None
    goals: list[CasePlanGoalOut]

    @staticmethod
    def resolve_goals(obj):
        return list(obj.goals.all())


@router.post(
    "/cases/{case_id}/plan",
    response={201: CasePlanVersionOut},
    summary="Save the plan as a new version",
)
def save_plan(request: HttpRequest, case_id: str, payload: CasePlanIn):
    """Every save is a new immutable version. Give a goal the `key` of a goal of the latest
    version to continue it; leave one out to remove it."""
    version = services.plan_save(
        actor=request.membership,
        case_id=case_id,
        goals=[services.GoalInput(**goal.dict()) for goal in payload.goals],
        review_on=payload.review_on,
        summary=payload.summary,
    )
    return Status(
        201,
        selectors.plan_version_get(
            actor=request.membership, case_id=case_id, number=version.number
        ),
    )


@router.get(
    "/cases/{case_id}/plan/versions/{number}",
    response=CasePlanVersionOut,
    summary="One version of the plan",
)
def get_plan_version(request: HttpRequest, case_id: str, number: int):
    return selectors.plan_version_get(actor=request.membership, case_id=case_id, number=number)


class CasePlanChangeOut(Schema):
    kind: str
    key: uuid.UUID
    fields: list[str]
    before: CasePlanGoalOut | None
    after: CasePlanGoalOut | None


class CasePlanComparisonOut(Schema):
    older: int
    newer: int
    changes: list[CasePlanChangeOut]


@router.get(
    "/cases/{case_id}/plan/compare",
    response=CasePlanComparisonOut,
    summary="Compare two versions of the plan",
)
def compare_plan(request: HttpRequest, case_id: str, a: int, b: int):
    older = selectors.plan_version_get(actor=request.membership, case_id=case_id, number=min(a, b))
    newer = selectors.plan_version_get(actor=request.membership, case_id=case_id, number=max(a, b))
    changes = services.plan_diff(older, newer)
    return {
        "older": older.number,
        "newer": newer.number,
        "changes": [
            {
                "kind": c.kind,
                "key": (c.after or c.before).key,
                "fields": list(c.fields),
                "before": c.before,
                "after": c.after,
            }
            for c in changes
        ],
    }


# --- Services -----------------------------------------------------------------------------


class CaseServiceIn(StrictSchema):
    service: str = Field(..., max_length=32)
    provider_id: uuid.UUID
    note: str | None = Field(None, max_length=2000)


@router.post(
    "/cases/{case_id}/services",
    response={201: CaseServiceOut},
    summary="Request a service from a provider of the registry",
)
def request_service(request: HttpRequest, case_id: str, payload: CaseServiceIn):
    service = services.case_service_request(
        actor=request.membership,
        case_id=case_id,
        service=payload.service,
        provider_id=payload.provider_id,
        note=payload.note,
    )
    return Status(201, service)


@router.get(
    "/case-services",
    response=CursorPage[CaseServiceOut],
    summary="Worklist: services asked of your organisation",
)
def provider_services(
    request: HttpRequest,
    status: CaseServiceStatus | None = None,
    cursor: str | None = None,
    limit: int = 50,
):
    rows = selectors.service_list_for_provider(actor=request.membership).select_related(
        "provider", "requested_by_organisation"
    )
    if status:
        rows = rows.filter(status=status)
    items, next_cursor = paginate_by_cursor(rows, cursor=cursor, limit=limit)
    return {"items": items, "next_cursor": next_cursor}


@router.get(
    "/case-services/{service_id}",
    response=CaseServiceOut,
    summary="A service asked of your organisation",
)
def get_provider_service(request: HttpRequest, service_id: str):
    actor = request.membership
    pk = uuid_or_404(service_id)
    if not selectors.service_list_for_provider(actor=actor).filter(pk=pk).exists():
        raise Http404
    return selectors.service_get(actor=actor, service_id=pk)


class CaseDeliveryIn(StrictSchema):
    delivered_from: datetime.date
    delivered_to: datetime.date | None = None
    units: decimal.Decimal = Field(..., max_digits=10, decimal_places=2)
    unit: str = Field(..., max_length=8)


def _service(request, service_id, to_status, **kwargs) -> CaseService:
    return services.case_service_transition(
        actor=request.membership, service_id=service_id, to_status=to_status, **kwargs
    )


@router.post(
    "/case-services/{service_id}/accept", response=CaseServiceOut, summary="Accept a service"
)
def accept_service(request: HttpRequest, service_id: str):
    return _service(request, service_id, CaseServiceStatus.ACCEPTED)


@router.post(
    "/case-services/{service_id}/decline", response=CaseServiceOut, summary="Decline a service"
)
def decline_service(request: HttpRequest, service_id: str, payload: CaseReasonIn):
    return _service(request, service_id, CaseServiceStatus.DECLINED, reason=payload.reason)


@router.post(
    "/case-services/{service_id}/deliver",
    response=CaseServiceOut,
    summary="Record a service as delivered (dates and units)",
)
def deliver_service(request: HttpRequest, service_id: str, payload: CaseDeliveryIn):
    """Only an accepted service can be delivered: otherwise 409 naming the allowed steps."""
    return _service(request, service_id, CaseServiceStatus.DELIVERED, **payload.dict())


@router.post(
    "/case-services/{service_id}/cancel", response=CaseServiceOut, summary="Cancel a service"
)
def cancel_service(request: HttpRequest, service_id: str, payload: CaseReasonIn):
    return _service(request, service_id, CaseServiceStatus.CANCELLED, reason=payload.reason)


# --- Follow-ups and the team --------------------------------------------------------------


class CaseFollowUpIn(StrictSchema):
    due_at: datetime.datetime
    purpose: str = Field(..., min_length=1, max_length=1000)


@router.post(
    "/cases/{case_id}/follow-ups",
    response={201: CaseFollowUpOut},
    summary="Schedule a follow-up",
)
def schedule_follow_up(request: HttpRequest, case_id: str, payload: CaseFollowUpIn):
    follow_up = services.follow_up_schedule(
        actor=request.membership, case_id=case_id, due_at=payload.due_at, purpose=payload.purpose
    )
    return Status(201, follow_up)


class CaseFollowUpDoneIn(StrictSchema):
    outcome: str = Field(..., min_length=1, max_length=2000)


@router.post(
    "/case-follow-ups/{follow_up_id}/done",
    response=CaseFollowUpOut,
    summary="Record a follow-up as done",
)
def follow_up_done(request: HttpRequest, follow_up_id: str, payload: CaseFollowUpDoneIn):
    return services.follow_up_done(
        actor=request.membership, follow_up_id=follow_up_id, outcome=payload.outcome
    )


class CaseTeamMemberIn(StrictSchema):
    membership_id: uuid.UUID
    role: str = Field(..., max_length=24)
    starts_on: datetime.date
    ends_on: datetime.date


@router.post(
    "/cases/{case_id}/team",
    response={201: CaseTeamMemberOut},
    summary="Add a member to the case's multidisciplinary team",
)
def add_team_member(request: HttpRequest, case_id: str, payload: CaseTeamMemberIn):
    """Membership opens the case and its person's record to the member's organisation until
    `ends_on`, and nothing else."""
    member = services.team_member_add(actor=request.membership, case_id=case_id, **payload.dict())
    return Status(201, member)


@router.post(
    "/case-team/{member_id}/end", response=CaseTeamMemberOut, summary="End a team membership"
)
def end_team_member(request: HttpRequest, member_id: str):
    return services.team_member_end(actor=request.membership, member_id=member_id)


# --- Restricted sections -------------------------------------------------------------------


class CaseNoteIn(StrictSchema):
    text: str = Field(..., min_length=1, max_length=8000)


class CaseNoteOut(Schema):
    id: uuid.UUID
    section: str
    text: str | None
    organisation: CaseOrganisationRef
    created_at: datetime.datetime


class CaseSectionOut(Schema):
    section: str
    notes: list[CaseNoteOut]


@router.get(
    "/cases/{case_id}/sections/{section}",
    response=CaseSectionOut,
    summary="Read a restricted section (audited)",
)
def read_section(request: HttpRequest, case_id: str, section: str):
    """Psychological notes, medical details or sexual history: for the roles allowed them
    only (else 404); every read is written to the audit trail."""
    _case, notes = selectors.restricted_notes_read(
        actor=request.membership, case_id=case_id, section=section
    )
    return {"section": section, "notes": notes}


@router.post(
    "/cases/{case_id}/sections/{section}",
    response={201: CaseNoteOut},
    summary="Write in a restricted section",
)
def write_section(request: HttpRequest, case_id: str, section: str, payload: CaseNoteIn):
    note = services.restricted_note_add(
        actor=request.membership, case_id=case_id, section=section, text=payload.text
    )
    return Status(201, note)
