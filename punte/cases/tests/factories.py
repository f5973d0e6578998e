"""Cases in each meaningful state, made through the services (events, audit, grants as in real
use): a child's case at a child-protection directorate, an adult's at an NGO."""

from __future__ import annotations

import datetime

from django.utils import timezone

from punte.accounts.models import OrganisationType
from punte.accounts.tests.factories import MembershipFactory, OrganisationFactory
from punte.cases import services
from punte.cases.models import Case
from punte.referrals import services as referral_services
from punte.referrals.tests.factories import (
    ServiceOfferingFactory,
    responder_of,
    send_service_referral,
)
from punte.referrals.tests.helpers import adult, child


def manager_of(organisation, role_code="regional_officer"):
    return MembershipFactory(organisation=organisation, role_code=role_code)


def supervisor_of(organisation):
    return MembershipFactory(organisation=organisation, role_code="unit_supervisor")


def open_case(*, manager=None, is_child: bool = False, person=None) -> Case:
    """A case opened from an accepted referral to the manager's organisation."""
    if manager is None:
        kind = OrganisationType.CHILD_PROTECTION if is_child else OrganisationType.NGO
        manager = manager_of(OrganisationFactory(type=kind))
    sender = MembershipFactory(
        role_code="regional_officer",
        organisation=OrganisationFactory(type=OrganisationType.REGIONAL_CENTRE),
    )
    if person is None:
        person = child(sender) if is_child else adult(sender)
    referral = send_service_referral(sender=sender, receiver=manager.organisation, person=person)
    referral_services.referral_accept(
        actor=responder_of(manager.organisation), referral_id=referral.pk
    )
    return services.case_open(actor=manager, referral_id=referral.pk)


def provider(service="shelter", county="RO-CJ", kind=OrganisationType.NGO):
    organisation = OrganisationFactory(type=kind, county_id=county)
    ServiceOfferingFactory(organisation=organisation, service=service, county_id=county)
    return organisation


def requested_service(case: Case, *, manager, service="shelter"):
    return services.case_service_request(
        actor=manager, case_id=case.pk, service=service, provider_id=provider(service).pk
    )


def accepted_service(case: Case, *, manager, service="shelter"):
    requested = requested_service(case, manager=manager, service=service)
    return services.case_service_transition(
        actor=MembershipFactory(organisation=requested.provider, role_code="service_provider"),
        service_id=requested.pk,
        to_status="accepted",
    )


def closure_requested(case: Case, *, manager) -> Case:
    return services.case_request_closure(
        actor=manager, case_id=case.pk, closure_reason="goals_achieved"
    )


def team_member(
    case: Case,
    *,
    manager,
    role="prosecutor",
    kind=OrganisationType.PROSECUTION,
    days=30,
    role_code="prosecutor",
):
    member = MembershipFactory(organisation=OrganisationFactory(type=kind), role_code=role_code)
    today = timezone.localdate()
    added = services.team_member_add(
        actor=manager,
        case_id=case.pk,
        membership_id=member.pk,
        role=role,
        starts_on=today,
        ends_on=today + datetime.timedelta(days=days),
    )
    return member, added
