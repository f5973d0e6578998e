"""The cases API refuses bad input with a problem naming the field, and the person's journey
shows the case's steps in full to its parties and in outline to others."""

import datetime

import pytest
from django.utils import timezone

from punte.accounts.models import OrganisationType
from punte.accounts.tests.factories import MembershipFactory, OrganisationFactory
from punte.cases.models import Case, CaseEvent, TeamMember
from punte.cases.tests.factories import manager_of, open_case, requested_service, team_member
from punte.identification.persons.services import person_access_grant
from punte.journey.timeline import person_journey
from punte.referrals.tests.factories import responder_of, send_service_referral
from punte.referrals.tests.helpers import adult
from punte.testing.api import ApiClient

pytestmark = pytest.mark.django_db


def _field(response) -> str:
    return response.json()["errors"][0]["field"]


def test_opening_from_a_referral_then_bad_input_each_named_with_nothing_written():
    ngo = OrganisationFactory(type=OrganisationType.NGO)
    manager = manager_of(ngo)
    sender = MembershipFactory(
        organisation=OrganisationFactory(type=OrganisationType.REGIONAL_CENTRE),
        role_code="regional_officer",
    )
    referral = send_service_referral(sender=sender, receiver=ngo, person=adult(sender))
    api = ApiClient(manager)
    # Not accepted yet: refused, naming the referral.
    early = api.post(f"/referrals/{referral.pk}/case", {})
    assert early.status_code == 422 and _field(early) == "referral_id"
    from punte.referrals import services as referral_services

    referral_services.referral_accept(actor=responder_of(ngo), referral_id=referral.pk)
    opened = api.post(f"/referrals/{referral.pk}/case", {})
    assert opened.status_code == 201, opened.content
    case_id = opened.json()["id"]
    assert opened.json()["status"] == "open"
    assert [e["action"] for e in opened.json()["events"]] == ["opened"]

    no_reason = api.post(f"/cases/{case_id}/closure-request", {"closure_reason": ""})
    assert no_reason.status_code == 422 and _field(no_reason) == "closure_reason"
    unknown = api.post(f"/cases/{case_id}/closure-request", {"reason": "goals_achieved"})
    assert unknown.status_code == 422  # strict schema: an unknown field is an error

    prosecutor = MembershipFactory(
        organisation=OrganisationFactory(type=OrganisationType.PROSECUTION), role_code="prosecutor"
    )
    today = timezone.localdate()
    backwards = api.post(
        f"/cases/{case_id}/team",
        {
            "membership_id": str(prosecutor.pk),
            "role": "prosecutor",
            "starts_on": today.isoformat(),
            "ends_on": (today - datetime.timedelta(days=3)).isoformat(),
        },
    )
    assert backwards.status_code == 422 and _field(backwards) == "ends_on"
    unrelated = api.post(
        f"/cases/{case_id}/team",
        {
            "membership_id": str(prosecutor.pk),
            "role": "guardian",
            "starts_on": today.isoformat(),
            "ends_on": today.isoformat(),
        },
    )
    assert unrelated.status_code == 422 and _field(unrelated) == "membership_id"
    assert not TeamMember.objects.exists()

    case = Case.objects.get(pk=case_id)
    service = requested_service(case, manager=manager)
    provider_api = ApiClient(
        MembershipFactory(organisation=service.provider, role_code="service_provider")
    )
    never_accepted = provider_api.post(
        f"/case-services/{service.pk}/deliver",
        {"delivered_from": today.isoformat(), "units": "1", "unit": "day"},
    )
    assert never_accepted.status_code == 409 and _field(never_accepted) == "status"
    assert "Accepted" in never_accepted.json()["detail"]
    assert not CaseEvent.objects.filter(action="service_delivered").exists()
    assert Case.objects.get(pk=case_id).status == "open"


def test_the_journey_shows_case_steps_in_full_to_parties_and_in_outline_to_others():
    case = open_case(is_child=True)
    manager = manager_of(case.owner_organisation, role_code="child_protection_officer")
    member, _ = team_member(case, manager=manager)
    # Another organisation that may open the person's record, with no part in the case.
    outsider = MembershipFactory(
        organisation=OrganisationFactory(type=OrganisationType.NGO), role_code="ngo_caseworker"
    )
    person_access_grant(
        actor=manager,
        person_id=case.person_id,
        organisation_id=outsider.organisation_id,
        reason="referral",
    )
    mine = [
        e
        for e in person_journey(actor=manager, person_id=case.person_id).entries
        if e.kind.startswith("case.")
    ]
    assert [e.kind for e in mine] == ["case.opened", "case.member_added"]
    assert all(e.is_full and e.url for e in mine)
    theirs = [
        e
        for e in person_journey(actor=outsider, person_id=case.person_id).entries
        if e.kind.startswith("case.")
    ]
    assert [e.kind for e in theirs] == ["case.opened", "case.member_added"]
    assert all(not e.is_full and e.url is None and e.organisation_name is None for e in theirs)
    assert theirs[0].organisation_type == "Child protection directorate (DGASPC)"
    # The member's office took no step itself (the directorate added it): outline, as others.
    joined = [
        e
        for e in person_journey(actor=member, person_id=case.person_id).entries
        if e.kind == "case.member_added"
    ]
    assert joined and not joined[0].is_full
