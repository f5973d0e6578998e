"""Criminal proceedings for tests, made through the services as in real use."""

from __future__ import annotations

from punte.accounts.models import OrganisationType
from punte.accounts.tests.factories import MembershipFactory, OrganisationFactory
from punte.cases.tests.factories import open_case
from punte.proceedings import services


def prosecution_office():
    return OrganisationFactory(type=OrganisationType.PROSECUTION)


def prosecutor_of(office):
    return MembershipFactory(organisation=office, role_code="prosecutor")


def recorded(*, manager=None, office=None, case=None, number="1234/D/P/2026"):
    if case is None:
        case = open_case(manager=manager, is_child=manager is None)
    if manager is None:
        manager = case.created_by.memberships.get(organisation=case.owner_organisation)
    office = office or prosecution_office()
    return services.proceeding_record(
        actor=manager,
        case_id=case.pk,
        file_number=number,
        prosecuting_office_id=office.pk,
        victim_role="injured_party",
        protection_measures=["identity_protected"],
    )
