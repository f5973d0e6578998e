"""The cast of the mechanism's end-to-end tests (API and browser): one county's bodies, each
with the member who acts for it, and the reference data (catalogue, routing rules) loaded as
in production."""

from __future__ import annotations

from dataclasses import dataclass

from punte.accounts.models import Membership, Organisation, OrganisationType
from punte.accounts.tests.factories import MembershipFactory, OrganisationFactory
from punte.identification.screening.tests.factories import load_catalogue
from punte.referrals.rules import current_ruleset, load_default_rules

COUNTY = "RO-CJ"
# Short-screen answers that make a child a presumed victim (exploitation and one sign of
# control; catalogue rule short_screen.presumed_victim.child).
CHILD_PRESUMED = {
    "SS-1": "yes",
    "SS-2": "yes",
    "SS-3": "no",
    "SS-4": "unsure",
    "SS-5": "no",
    "SS-6": "no",
}


@dataclass
class Cast:
    agency: Organisation
    centre: Organisation
    hospital: Organisation
    dgaspc: Organisation
    prosecution: Organisation
    physician: Membership
    child_protection: Membership
    prosecutor: Membership
    coordinator: Membership


def cast() -> Cast:
    load_catalogue()
    if current_ruleset() is None:
        load_default_rules()
    agency = OrganisationFactory(
        name="Agenția Națională împotriva Traficului de Persoane",
        type=OrganisationType.NATIONAL_AGENCY,
        county=None,
    )
    centre = OrganisationFactory(
        name="ANITP Centrul Regional Cluj",
        type=OrganisationType.REGIONAL_CENTRE,
        county_id=COUNTY,
        parent=agency,
    )
    hospital = OrganisationFactory(
        name="Spitalul Clinic Județean de Urgență Cluj",
        type=OrganisationType.HOSPITAL,
        county_id=COUNTY,
    )
    dgaspc = OrganisationFactory(
        name="DGASPC Cluj", type=OrganisationType.CHILD_PROTECTION, county_id=COUNTY
    )
    prosecution = OrganisationFactory(
        name="DIICOT Serviciul Teritorial Cluj",
        type=OrganisationType.PROSECUTION,
        county_id=COUNTY,
    )
    return Cast(
        agency=agency,
        centre=centre,
        hospital=hospital,
        dgaspc=dgaspc,
        prosecution=prosecution,
        physician=MembershipFactory(
            organisation=hospital, role_code="clinician", user__username="dr.pop"
        ),
        child_protection=MembershipFactory(
            organisation=dgaspc, role_code="child_protection_officer", user__username="as.ionescu"
        ),
        prosecutor=MembershipFactory(
            organisation=prosecution, role_code="prosecutor", user__username="proc.marin"
        ),
        coordinator=MembershipFactory(
            organisation=agency, role_code="national_coordinator", user__username="coord.anitp"
        ),
    )
