"""Organisations of a county as the routing rules look for them, and persons in each case."""

from __future__ import annotations

import datetime

from django.utils import timezone

from punte.accounts.models import OrganisationType
from punte.accounts.tests.factories import MembershipFactory, OrganisationFactory
from punte.identification.persons.tests.factories import create_person
from punte.identification.screening.services.consent import consent_record

ADULT_BIRTH = datetime.date(1990, 6, 1)
CHILD_BIRTH = datetime.date(2014, 3, 1)


def county_bodies(county="RO-CJ") -> dict:
    """One active organisation of each type the rules route to, in the county."""
    return {
        kind: OrganisationFactory(type=kind, county_id=county)
        for kind in (
            OrganisationType.CHILD_PROTECTION,
            OrganisationType.PROSECUTION,
            OrganisationType.IMMIGRATION,
            OrganisationType.REGIONAL_CENTRE,
        )
    }


def first_responder(county="RO-CJ"):
    hospital = OrganisationFactory(type=OrganisationType.HOSPITAL, county_id=county)
    return MembershipFactory(organisation=hospital, role_code="regional_officer")


def adult(actor, *, consent: str | None = "consented", citizenship="RO"):
    person = create_person(actor=actor, date_of_birth=ADULT_BIRTH, citizenship=citizenship)
    if consent:
        consent_record(
            actor=actor,
            person=person,
            purpose="referral",
            decision=consent,
            decided_on=timezone.localdate(),
            rights_language="ro",
        )
    return person


def child(actor, **fields):
    return create_person(actor=actor, date_of_birth=CHILD_BIRTH, **fields)
