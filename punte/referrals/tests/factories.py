"""Referrals in each meaningful state, made through the services (events, audit, deadlines as in
real use). Routing rules are loaded from the repository's file on first use."""

from __future__ import annotations

import datetime

import factory

from punte.accounts.models import OrganisationType
from punte.accounts.tests.factories import MembershipFactory, OrganisationFactory
from punte.identification.persons.tests.factories import create_person
from punte.referrals import services
from punte.referrals.models import Referral, ServiceOffering
from punte.referrals.rules import current_ruleset, load_default_rules

CHILD_BIRTH = datetime.date(2014, 3, 1)


def ensure_rules():
    if current_ruleset() is None:
        load_default_rules()
    return current_ruleset()


class ServiceOfferingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceOffering

    organisation = factory.SubFactory(OrganisationFactory, type=OrganisationType.NGO)
    service = "shelter"
    county_id = "RO-CJ"


def send_service_referral(
    *, sender=None, receiver=None, person=None, service="shelter", county="RO-CJ", note=None
) -> Referral:
    """A service referral of a child (no consent needed) from `sender` (a membership) to
    `receiver` (an organisation, given an offering of the service in the county)."""
    ensure_rules()
    sender = sender or MembershipFactory(role_code="regional_officer")
    receiver = receiver or OrganisationFactory(type=OrganisationType.NGO)
    if not ServiceOffering.objects.filter(
        organisation=receiver, service=service, county_id=county, archived_at__isnull=True
    ).exists():
        ServiceOfferingFactory(organisation=receiver, service=service, county_id=county)
    person = person or create_person(actor=sender, date_of_birth=CHILD_BIRTH)
    result = services.referrals_send(
        actor=sender,
        person=person,
        county_code=county,
        requests=[services.ReferralRequest(receiver_organisation_id=receiver.pk, service=service)],
        note=note,
        report_unresolved=False,
    )
    return result.referrals[0]


def responder_of(organisation, role_code="child_protection_officer"):
    return MembershipFactory(organisation=organisation, role_code=role_code)


class _ReferralFactory(factory.Factory):
    """factory_boy front: SentReferralFactory(sender=m, receiver=org)."""

    class Meta:
        model = dict

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return cls._make(**kwargs)

    _build = _create

    @classmethod
    def _make(cls, **kwargs):
        return send_service_referral(**kwargs)


class SentReferralFactory(_ReferralFactory):
    pass


class AcceptedReferralFactory(_ReferralFactory):
    @classmethod
    def _make(cls, **kwargs):
        referral = send_service_referral(**kwargs)
        return services.referral_accept(
            actor=responder_of(referral.receiver_organisation), referral_id=referral.pk
        )


class RejectedReferralFactory(_ReferralFactory):
    @classmethod
    def _make(cls, **kwargs):
        referral = send_service_referral(**kwargs)
        return services.referral_reject(
            actor=responder_of(referral.receiver_organisation),
            referral_id=referral.pk,
            reason="No place left in the shelter this month.",
        )


class CompletedReferralFactory(_ReferralFactory):
    @classmethod
    def _make(cls, **kwargs):
        referral = AcceptedReferralFactory._make(**kwargs)
        return services.referral_complete(
            actor=responder_of(referral.receiver_organisation), referral_id=referral.pk
        )


class WithdrawnReferralFactory(_ReferralFactory):
    @classmethod
    def _make(cls, **kwargs):
        referral = send_service_referral(**kwargs)
        sender = MembershipFactory(
            organisation=referral.sender_organisation, role_code="regional_officer"
        )
        return services.referral_withdraw(
            actor=sender, referral_id=referral.pk, reason="Sent to the wrong service."
        )
