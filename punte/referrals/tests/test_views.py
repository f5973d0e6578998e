import datetime

import pytest

from punte.accounts.models import OrganisationType
from punte.accounts.tests.factories import MembershipFactory, OrganisationFactory
from punte.core.models import AuditEvent
from punte.referrals.models import Referral, ServiceOffering
from punte.referrals.tests.factories import (
    ServiceOfferingFactory,
    responder_of,
    send_service_referral,
)
from punte.referrals.tests.helpers import adult, child, county_bodies, first_responder
from punte.testing.web import verified_client

pytestmark = pytest.mark.django_db


def test_route_page_explains_each_rule_and_sends(rules):
    bodies = county_bodies()
    shelter = ServiceOfferingFactory(service="shelter")
    physician = first_responder()
    person = child(physician)
    client = verified_client(physician.user)
    page = client.get(f"/referrals/route/{person.pk}/?county=RO-CJ").content.decode()
    assert "Treated as a child" in page
    assert "which must acknowledge the referral within 24 hours" in page
    assert str(bodies[OrganisationType.CHILD_PROTECTION]) in page
    assert "Immigration" not in page  # not a foreign national
    assert shelter.organisation.name in page

    response = client.post(
        f"/referrals/route/{person.pk}/",
        {
            "county": "RO-CJ",
            "rule:child-protection": str(bodies[OrganisationType.CHILD_PROTECTION].pk),
            "rule:child-prosecutor": str(bodies[OrganisationType.PROSECUTION].pk),
            "rule:regional-centre": str(bodies[OrganisationType.REGIONAL_CENTRE].pk),
            "offering": [str(shelter.pk)],
            "note": "Needs a bed tonight.",
        },
    )
    assert response.status_code == 302
    assert Referral.objects.filter(person=person).count() == 4
    assert Referral.objects.get(person=person, service="shelter").note == "Needs a bed tonight."


def test_route_page_refuses_an_adult_without_consent_and_sends_nothing(rules):
    bodies = county_bodies()
    physician = first_responder()
    person = adult(physician, consent=None)
    client = verified_client(physician.user)
    page = client.get(f"/referrals/route/{person.pk}/?county=RO-CJ").content.decode()
    assert "has not consented" in page
    assert "Not asked yet" in page
    response = client.post(
        f"/referrals/route/{person.pk}/",
        {"county": "RO-CJ", "rule:regional-centre": str(bodies["regional_centre"].pk)},
    )
    assert response.status_code == 422
    assert "consent to referral is not asked yet" in response.content.decode()
    assert "Nothing was sent." in response.content.decode()
    assert not Referral.objects.exists()


def test_inbox_detail_and_accept(rules):
    referral = send_service_referral(note="Speaks Ukrainian only.")
    responder = responder_of(referral.receiver_organisation, "ngo_caseworker")
    client = verified_client(responder.user)
    inbox = client.get("/referrals/").content.decode()
    assert f"/referrals/{referral.pk}/" in inbox
    assert "Ana" not in inbox  # no names in lists
    detail = client.get(f"/referrals/{referral.pk}/").content.decode()
    assert "Speaks Ukrainian only." in detail and ">Accept<" in detail
    assert "Not needed (child)" in detail
    assert AuditEvent.objects.filter(action="referral.viewed", subject_id=str(referral.pk)).exists()
    response = client.post(f"/referrals/{referral.pk}/accepted")
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == "accepted"
    again = client.post(f"/referrals/{referral.pk}/accepted", follow=True).content.decode()
    assert "cannot become" in again


def test_a_referral_of_another_organisation_is_not_found(rules):
    referral = send_service_referral()
    stranger = MembershipFactory(role_code="ngo_caseworker")
    client = verified_client(stranger.user)
    assert client.get(f"/referrals/{referral.pk}/").status_code == 404
    assert client.post(f"/referrals/{referral.pk}/accepted").status_code == 404


def test_overdue_page_is_for_the_national_agency(rules):
    referral = send_service_referral()
    Referral.objects.filter(pk=referral.pk).update(
        due_at=referral.created_at - datetime.timedelta(days=1)
    )
    national = verified_client(MembershipFactory(role_code="national_coordinator").user)
    assert f"/referrals/{referral.pk}/" in national.get("/referrals/overdue/").content.decode()
    officer = verified_client(MembershipFactory(role_code="regional_officer").user)
    assert officer.get("/referrals/overdue/").status_code == 403


def test_service_registry_page_add_and_withdraw():
    admin = MembershipFactory(role_code="system_admin")
    ngo = OrganisationFactory(type=OrganisationType.NGO, name="Asociația Alfa")
    client = verified_client(admin.user)
    response = client.post(
        "/referrals/services/",
        {"organisation": str(ngo.pk), "service": "legal_aid", "county": "RO-IS"},
    )
    assert response.status_code == 302
    offering = ServiceOffering.objects.get()
    duplicate = client.post(
        "/referrals/services/",
        {"organisation": str(ngo.pk), "service": "legal_aid", "county": "RO-IS"},
    )
    assert duplicate.status_code == 422
    assert "already lists" in duplicate.content.decode()
    client.post(f"/referrals/services/{offering.pk}/archive", {"reason": "Project ended."})
    offering.refresh_from_db()
    assert offering.archived_at is not None
    viewer = verified_client(MembershipFactory(role_code="regional_officer").user)
    page = viewer.get("/referrals/services/").content.decode()
    assert "Add a service" not in page
    assert viewer.post("/referrals/services/", {}).status_code == 403
