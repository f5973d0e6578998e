"""Each routing rule, on its own and together, and what happens when no body is registered."""

import pytest
from django.utils import timezone

from punte.accounts.models import OrganisationType
from punte.accounts.tests.factories import MembershipFactory, OrganisationFactory
from punte.core.models import County
from punte.referrals.routing import route
from punte.referrals.tests.factories import ServiceOfferingFactory
from punte.referrals.tests.helpers import adult, child, county_bodies, first_responder

pytestmark = pytest.mark.django_db


def _route(person, sender, county="RO-CJ", ruleset=None):
    from punte.referrals.rules import current_ruleset

    return route(
        person=person,
        county=County.objects.get(code=county),
        sender=sender.organisation,
        ruleset=ruleset or current_ruleset(),
        on=timezone.localdate(),
    )


def _codes(routing):
    return [p.rule.code for p in routing.proposals]


def test_romanian_adult_goes_to_the_regional_centre_only(rules):
    bodies = county_bodies()
    sender = first_responder()
    routing = _route(adult(sender), sender)
    assert _codes(routing) == ["regional-centre"]
    assert routing.proposals[0].candidates == [bodies[OrganisationType.REGIONAL_CENTRE]]
    assert routing.proposals[0].deadlines == {"respond_hours": 72, "complete_days": 30}


def test_child_goes_to_child_protection_and_a_prosecutor_and_the_regional_centre(rules):
    bodies = county_bodies()
    sender = first_responder()
    routing = _route(child(sender), sender)
    assert _codes(routing) == ["child-protection", "child-prosecutor", "regional-centre"]
    dgaspc = routing.proposals[0]
    assert dgaspc.candidates == [bodies[OrganisationType.CHILD_PROTECTION]]
    assert dgaspc.deadlines["respond_hours"] == 24
    assert "24" in dgaspc.rule.explanation_en
    # A child's referrals all answer within 24 hours.
    assert {p.deadlines["respond_hours"] for p in routing.proposals} == {24}


def test_unknown_age_is_routed_as_a_child(rules):
    county_bodies()
    sender = first_responder()
    from punte.identification.persons.tests.factories import create_person

    person = create_person(actor=sender, date_of_birth=None, identity_unknown=True)
    assert "child-protection" in _codes(_route(person, sender))


def test_foreign_national_goes_to_immigration_too(rules):
    bodies = county_bodies()
    sender = first_responder()
    routing = _route(adult(sender, citizenship="UA"), sender)
    assert _codes(routing) == ["foreign-immigration", "regional-centre"]
    assert routing.proposals[0].candidates == [bodies[OrganisationType.IMMIGRATION]]


def test_foreign_child_gets_every_rule(rules):
    county_bodies()
    sender = first_responder()
    routing = _route(child(sender, citizenship="MD"), sender)
    assert _codes(routing) == [
        "child-protection",
        "child-prosecutor",
        "foreign-immigration",
        "regional-centre",
    ]


def test_bodies_of_another_county_or_inactive_are_not_proposed(rules):
    county_bodies("RO-BH")
    OrganisationFactory(type=OrganisationType.CHILD_PROTECTION, county_id="RO-CJ", is_active=False)
    sender = first_responder()
    routing = _route(child(sender), sender)
    assert all(p.unresolved for p in routing.proposals)
    assert "No active organisation" in routing.proposals[0].problem
    assert len(routing.unresolved) == 3


def test_an_office_covering_several_counties_is_found_through_the_registry(rules):
    centre = OrganisationFactory(type=OrganisationType.REGIONAL_CENTRE, county_id="RO-BH")
    ServiceOfferingFactory(organisation=centre, service="reintegration", county_id="RO-SJ")
    sender = first_responder("RO-SJ")
    routing = _route(adult(sender), sender, county="RO-SJ")
    assert routing.proposals[0].candidates == [centre]


def test_a_body_with_national_reach_is_the_last_resort(rules):
    igi = OrganisationFactory(type=OrganisationType.IMMIGRATION, county=None)
    sender = first_responder()
    routing = _route(adult(sender, citizenship="UA"), sender)
    assert routing.proposals[0].candidates == [igi]


def test_the_sender_that_is_the_body_itself_needs_no_referral(rules):
    bodies = county_bodies()
    dgaspc_officer = MembershipFactory(
        organisation=bodies[OrganisationType.CHILD_PROTECTION], role_code="helpline_operator"
    )
    routing = _route(child(dgaspc_officer), dgaspc_officer)
    first = routing.proposals[0]
    assert first.satisfied_by_sender and not first.to_send and not first.unresolved
