"""Every referral endpoint in the permission matrix (punte.testing.permission_matrix).

`owner` is the colleague (or stranger) whose organisation holds the record: for the endpoints
of the receiving side the referral is made TO the owner's organisation, for the sending side
it is made BY the owner.
"""

from __future__ import annotations

from punte.accounts.models import OrganisationType
from punte.accounts.tests.factories import MembershipFactory, OrganisationFactory
from punte.identification.persons.tests.factories import create_person
from punte.referrals.models import Referral
from punte.referrals.tests.factories import (
    CHILD_BIRTH,
    ServiceOfferingFactory,
    ensure_rules,
    responder_of,
    send_service_referral,
)
from punte.testing.permission_matrix import CREATE, LIST, OBJECT, UNSCOPED, Endpoint


def _outgoing(owner) -> Referral:
    return send_service_referral(sender=owner)


def _incoming(owner) -> Referral:
    sender = MembershipFactory(role_code="regional_officer")
    return send_service_referral(sender=sender, receiver=owner.organisation)


def _incoming_accepted(owner) -> Referral:
    referral = _incoming(owner)
    from punte.referrals import services

    return services.referral_accept(actor=responder_of(owner.organisation), referral_id=referral.pk)


def _incoming_overdue(owner) -> Referral:
    referral = _incoming(owner)
    Referral.objects.filter(pk=referral.pk).update(due_at=referral.created_at.replace(year=2020))
    return referral


def _routable_person(owner):
    ensure_rules()
    person = create_person(actor=owner, date_of_birth=CHILD_BIRTH)
    person.matrix_offering = ServiceOfferingFactory(
        organisation=OrganisationFactory(type=OrganisationType.NGO), county_id="RO-CJ"
    )
    return person


def _offering(owner):
    return ServiceOfferingFactory()


ENDPOINTS = [
    Endpoint(
        name="referral.list",
        method="GET",
        kind=LIST,
        permission="referral.view",
        path=lambda r: "/referrals",
        make_record=_outgoing,
    ),
    Endpoint(
        name="referral.incoming",
        method="GET",
        kind=LIST,
        permission="referral.respond",
        path=lambda r: "/referrals/incoming",
        make_record=_incoming,
    ),
    Endpoint(
        name="referral.awaiting",
        method="GET",
        kind=LIST,
        permission="referral.send",
        path=lambda r: "/referrals/awaiting",
        make_record=_outgoing,
    ),
    Endpoint(
        name="referral.overdue",
        method="GET",
        kind=LIST,
        permission="referral.monitor",
        path=lambda r: "/referrals/overdue",
        make_record=_incoming_overdue,
    ),
    Endpoint(
        name="referral.get",
        method="GET",
        kind=OBJECT,
        permission="referral.view",
        path=lambda r: f"/referrals/{r.pk}",
        make_record=_outgoing,
    ),
    Endpoint(
        name="referral.accept",
        method="POST",
        kind=OBJECT,
        permission="referral.respond",
        path=lambda r: f"/referrals/{r.pk}/accept",
        make_record=_incoming,
    ),
    Endpoint(
        name="referral.reject",
        method="POST",
        kind=OBJECT,
        permission="referral.respond",
        path=lambda r: f"/referrals/{r.pk}/reject",
        make_record=_incoming,
        body=lambda r: {"reason": "No capacity."},
    ),
    Endpoint(
        name="referral.complete",
        method="POST",
        kind=OBJECT,
        permission="referral.respond",
        path=lambda r: f"/referrals/{r.pk}/complete",
        make_record=_incoming_accepted,
    ),
    Endpoint(
        name="referral.withdraw",
        method="POST",
        kind=OBJECT,
        permission="referral.send",
        path=lambda r: f"/referrals/{r.pk}/withdraw",
        make_record=_outgoing,
        body=lambda r: {"reason": "Sent by mistake."},
    ),
    Endpoint(
        name="referral.routing",
        method="GET",
        kind=OBJECT,
        permission="referral.send",
        path=lambda p: f"/persons/{p.pk}/routing?county=RO-CJ",
        make_record=_routable_person,
    ),
    Endpoint(
        name="referral.send",
        method="POST",
        kind=OBJECT,
        permission="referral.send",
        path=lambda p: f"/persons/{p.pk}/referrals",
        make_record=_routable_person,
        body=lambda p: {
            "county": "RO-CJ",
            "referrals": [
                {
                    "receiver_organisation_id": str(p.matrix_offering.organisation_id),
                    "service": "shelter",
                }
            ],
        },
        success_status=201,
    ),
    Endpoint(
        name="service.list",
        method="GET",
        kind=UNSCOPED,
        permission="organisation.view",
        path=lambda _: "/services",
    ),
    Endpoint(
        name="service.create",
        method="POST",
        kind=CREATE,
        permission="service.manage",
        path=lambda _: "/services",
        body=lambda _: {
            "organisation_id": str(OrganisationFactory().pk),
            "service": "medical",
            "county": "RO-CJ",
        },
        success_status=201,
    ),
    Endpoint(
        name="service.archive",
        method="POST",
        kind=UNSCOPED,
        permission="service.manage",
        path=lambda o: f"/services/{o.pk}/archive",
        make_record=_offering,
        body=lambda o: {"reason": "No longer offered."},
    ),
]
