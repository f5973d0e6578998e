"""Every cases endpoint in the permission matrix (punte.testing.permission_matrix).

`owner` is a regional officer of an NGO (the matrix's organisation): the case is an adult's,
managed by that NGO. For the provider's endpoints the service is asked OF the owner's
organisation; for accepting a transfer, the case is offered TO it.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from punte.accounts.models import OrganisationType
from punte.accounts.tests.factories import MembershipFactory, OrganisationFactory
from punte.cases import services
from punte.cases.tests.factories import (
    closure_requested,
    open_case,
    provider,
    requested_service,
    supervisor_of,
)
from punte.referrals import services as referral_services
from punte.referrals.tests.factories import (
    ServiceOfferingFactory,
    responder_of,
    send_service_referral,
)
from punte.referrals.tests.helpers import adult
from punte.testing.permission_matrix import LIST, OBJECT, Endpoint

TODAY = datetime.date.today


def _case(owner):
    return open_case(manager=owner)


def _accepted_referral(owner):
    sender = MembershipFactory(
        role_code="regional_officer",
        organisation=OrganisationFactory(type=OrganisationType.REGIONAL_CENTRE),
    )
    referral = send_service_referral(
        sender=sender, receiver=owner.organisation, person=adult(sender)
    )
    return referral_services.referral_accept(
        actor=responder_of(owner.organisation), referral_id=referral.pk
    )


def _closure_requested(owner):
    case = _case(owner)
    return closure_requested(case, manager=owner)


def _closed(owner):
    case = _closure_requested(owner)
    return services.case_approve_closure(actor=supervisor_of(owner.organisation), case_id=case.pk)


def _offered_to_owner(owner):
    case = open_case()
    manager = MembershipFactory(organisation=case.owner_organisation, role_code="regional_officer")
    return services.case_transfer_request(
        actor=manager, case_id=case.pk, to_organisation_id=owner.organisation_id, reason="Moved."
    )


def _offered_by_owner(owner):
    case = _case(owner)
    receiver = OrganisationFactory(type=OrganisationType.NGO)
    return services.case_transfer_request(
        actor=owner, case_id=case.pk, to_organisation_id=receiver.pk, reason="Moved."
    )


def _asked_of_owner(owner):
    case = open_case()
    manager = MembershipFactory(organisation=case.owner_organisation, role_code="regional_officer")
    ServiceOfferingFactory(organisation=owner.organisation, service="legal_aid", county_id="RO-CJ")
    return services.case_service_request(
        actor=manager, case_id=case.pk, service="legal_aid", provider_id=owner.organisation_id
    )


def _accepted_of_owner(owner):
    requested = _asked_of_owner(owner)
    return services.case_service_transition(
        actor=MembershipFactory(organisation=owner.organisation, role_code="service_provider"),
        service_id=requested.pk,
        to_status="accepted",
    )


def _service_of_owner_case(owner):
    return requested_service(_case(owner), manager=owner)


def _follow_up(owner):
    case = _case(owner)
    return services.follow_up_schedule(
        actor=owner,
        case_id=case.pk,
        due_at=timezone.now() + datetime.timedelta(days=3),
        purpose="Home visit",
    )


def _team_member(owner):
    case = _case(owner)
    member = MembershipFactory(
        organisation=OrganisationFactory(type=OrganisationType.PROSECUTION), role_code="prosecutor"
    )
    return services.team_member_add(
        actor=owner,
        case_id=case.pk,
        membership_id=member.pk,
        role="prosecutor",
        starts_on=TODAY(),
        ends_on=TODAY() + datetime.timedelta(days=30),
    )


def _with_two_plans(owner):
    case = _case(owner)
    for goal in ("Safe housing", "Safe housing for six months"):
        services.plan_save(
            actor=owner,
            case_id=case.pk,
            goals=[
                services.GoalInput(
                    area="housing",
                    goal=goal,
                    responsible_organisation_id=owner.organisation_id,
                    starts_on=TODAY(),
                    due_on=TODAY() + datetime.timedelta(days=90),
                )
            ],
        )
    return case


def _needs():
    areas = (
        "safety",
        "health",
        "psychological",
        "legal",
        "housing",
        "documents",
        "income",
        "family",
    )
    return {area: {"level": "medium"} for area in areas}


def _prosecutor(case):
    return MembershipFactory(
        organisation=OrganisationFactory(type=OrganisationType.PROSECUTION), role_code="prosecutor"
    )


def _section(permission: str, section: str, method: str = "GET"):
    return Endpoint(
        name=f"case.section.{section}.{method.lower()}",
        method=method,
        kind=OBJECT,
        permission=permission,
        path=lambda c: f"/cases/{c.pk}/sections/{section}",
        make_record=_case,
        body=(lambda c: {"text": "Synthetic note."}) if method == "POST" else None,
        success_status=201 if method == "POST" else 200,
    )


ENDPOINTS = [
    Endpoint(
        name="case.list",
        method="GET",
        kind=LIST,
        permission="case.view",
        path=lambda c: "/cases",
        make_record=_case,
    ),
    Endpoint(
        name="case.get",
        method="GET",
        kind=OBJECT,
        permission="case.view",
        path=lambda c: f"/cases/{c.pk}",
        make_record=_case,
    ),
    Endpoint(
        name="case.open_from_referral",
        method="POST",
        kind=OBJECT,
        permission="case.manage",
        path=lambda r: f"/referrals/{r.pk}/case",
        make_record=_accepted_referral,
        body=lambda r: {},
        success_status=201,
    ),
    Endpoint(
        name="case.closure_request",
        method="POST",
        kind=OBJECT,
        permission="case.manage",
        path=lambda c: f"/cases/{c.pk}/closure-request",
        make_record=_case,
        body=lambda c: {"closure_reason": "goals_achieved"},
    ),
    Endpoint(
        name="case.closure_approval",
        method="POST",
        kind=OBJECT,
        permission="case.approve_closure",
        path=lambda c: f"/cases/{c.pk}/closure-approval",
        make_record=_closure_requested,
    ),
    Endpoint(
        name="case.closure_refusal",
        method="POST",
        kind=OBJECT,
        permission="case.approve_closure",
        path=lambda c: f"/cases/{c.pk}/closure-refusal",
        make_record=_closure_requested,
        body=lambda c: {"reason": "The plan's housing goal is not met."},
    ),
    Endpoint(
        name="case.reopen",
        method="POST",
        kind=OBJECT,
        permission="case.manage",
        path=lambda c: f"/cases/{c.pk}/reopen",
        make_record=_closed,
        body=lambda c: {"reason": "Recruited again."},
    ),
    Endpoint(
        name="case.transfer_request",
        method="POST",
        kind=OBJECT,
        permission="case.manage",
        path=lambda c: f"/cases/{c.pk}/transfers",
        make_record=_case,
        body=lambda c: {
            "to_organisation_id": str(OrganisationFactory(type=OrganisationType.NGO).pk),
            "reason": "The person moved.",
        },
        success_status=201,
    ),
    Endpoint(
        name="case_transfer.accept",
        method="POST",
        kind=OBJECT,
        permission="case.manage",
        path=lambda t: f"/case-transfers/{t.pk}/accept",
        make_record=_offered_to_owner,
    ),
    Endpoint(
        name="case_transfer.decline",
        method="POST",
        kind=OBJECT,
        permission="case.manage",
        path=lambda t: f"/case-transfers/{t.pk}/decline",
        make_record=_offered_to_owner,
        body=lambda t: {"reason": "No capacity."},
    ),
    Endpoint(
        name="case_transfer.withdraw",
        method="POST",
        kind=OBJECT,
        permission="case.manage",
        path=lambda t: f"/case-transfers/{t.pk}/withdraw",
        make_record=_offered_by_owner,
        body=lambda t: {"reason": "The person stays."},
    ),
    Endpoint(
        name="case.assessment_record",
        method="POST",
        kind=OBJECT,
        permission="case.manage",
        path=lambda c: f"/cases/{c.pk}/assessments",
        make_record=_case,
        body=lambda c: {
            "assessed_on": TODAY().isoformat(),
            "needs": _needs(),
            "retrafficking_risk": "high",
        },
        success_status=201,
    ),
    Endpoint(
        name="case.assessment_list",
        method="GET",
        kind=OBJECT,
        permission="case.view",
        path=lambda c: f"/cases/{c.pk}/assessments",
        make_record=_case,
    ),
    Endpoint(
        name="case.plan_save",
        method="POST",
        kind=OBJECT,
        permission="case.manage",
        path=lambda c: f"/cases/{c.pk}/plan",
        make_record=_case,
        body=lambda c: {
            "goals": [
                {
                    "area": "documents",
                    "goal": "Identity card",
                    "responsible_organisation_id": str(c.owner_organisation_id),
                    "starts_on": TODAY().isoformat(),
                    "due_on": (TODAY() + datetime.timedelta(days=30)).isoformat(),
                }
            ]
        },
        success_status=201,
    ),
    Endpoint(
        name="case.plan_version",
        method="GET",
        kind=OBJECT,
        permission="case.view",
        path=lambda c: f"/cases/{c.pk}/plan/versions/1",
        make_record=_with_two_plans,
    ),
    Endpoint(
        name="case.plan_compare",
        method="GET",
        kind=OBJECT,
        permission="case.view",
        path=lambda c: f"/cases/{c.pk}/plan/compare?a=1&b=2",
        make_record=_with_two_plans,
    ),
    Endpoint(
        name="case.service_request",
        method="POST",
        kind=OBJECT,
        permission="case.manage",
        path=lambda c: f"/cases/{c.pk}/services",
        make_record=_case,
        body=lambda c: {"service": "medical", "provider_id": str(provider("medical").pk)},
        success_status=201,
    ),
    Endpoint(
        name="case_service.list",
        method="GET",
        kind=LIST,
        permission="case.deliver",
        path=lambda s: "/case-services",
        make_record=_asked_of_owner,
    ),
    Endpoint(
        name="case_service.get",
        method="GET",
        kind=OBJECT,
        permission="case.deliver",
        path=lambda s: f"/case-services/{s.pk}",
        make_record=_asked_of_owner,
    ),
    Endpoint(
        name="case_service.accept",
        method="POST",
        kind=OBJECT,
        permission="case.deliver",
        path=lambda s: f"/case-services/{s.pk}/accept",
        make_record=_asked_of_owner,
    ),
    Endpoint(
        name="case_service.decline",
        method="POST",
        kind=OBJECT,
        permission="case.deliver",
        path=lambda s: f"/case-services/{s.pk}/decline",
        make_record=_asked_of_owner,
        body=lambda s: {"reason": "No lawyer free."},
    ),
    Endpoint(
        name="case_service.deliver",
        method="POST",
        kind=OBJECT,
        permission="case.deliver",
        path=lambda s: f"/case-services/{s.pk}/deliver",
        make_record=_accepted_of_owner,
        body=lambda s: {"delivered_from": TODAY().isoformat(), "units": "2", "unit": "session"},
    ),
    Endpoint(
        name="case_service.cancel",
        method="POST",
        kind=OBJECT,
        permission="case.manage",
        path=lambda s: f"/case-services/{s.pk}/cancel",
        make_record=_service_of_owner_case,
        body=lambda s: {"reason": "No longer needed."},
    ),
    Endpoint(
        name="case.follow_up_schedule",
        method="POST",
        kind=OBJECT,
        permission="case.manage",
        path=lambda c: f"/cases/{c.pk}/follow-ups",
        make_record=_case,
        body=lambda c: {
            "due_at": (timezone.now() + datetime.timedelta(days=7)).isoformat(),
            "purpose": "Call",
        },
        success_status=201,
    ),
    Endpoint(
        name="case_follow_up.done",
        method="POST",
        kind=OBJECT,
        permission="case.manage",
        path=lambda f: f"/case-follow-ups/{f.pk}/done",
        make_record=_follow_up,
        body=lambda f: {"outcome": "Reached by phone; safe."},
    ),
    Endpoint(
        name="case.team_add",
        method="POST",
        kind=OBJECT,
        permission="case.manage",
        path=lambda c: f"/cases/{c.pk}/team",
        make_record=_case,
        body=lambda c: {
            "membership_id": str(_prosecutor(c).pk),
            "role": "prosecutor",
            "starts_on": TODAY().isoformat(),
            "ends_on": (TODAY() + datetime.timedelta(days=10)).isoformat(),
        },
        success_status=201,
    ),
    Endpoint(
        name="case_team.end",
        method="POST",
        kind=OBJECT,
        permission="case.manage",
        path=lambda m: f"/case-team/{m.pk}/end",
        make_record=_team_member,
    ),
    _section("case.section.psychological", "psychological"),
    _section("case.section.medical", "medical"),
    _section("case.section.sexual_history", "sexual_history"),
    _section("case.section.psychological", "psychological", "POST"),
]
