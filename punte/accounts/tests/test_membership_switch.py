import pytest
from django.test import Client

from punte.accounts.tests.factories import MembershipFactory, OrganisationFactory
from punte.core.models import AuditEvent
from punte.identification.persons.tests.factories import create_person
from punte.testing.auth import login_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def doctor_who_volunteers():
    hospital = MembershipFactory(role_code="clinician", organisation=OrganisationFactory())
    ngo = MembershipFactory(
        user=hospital.user, role_code="ngo_caseworker", organisation=OrganisationFactory()
    )
    return hospital, ngo


def test_switching_changes_what_the_user_may_see(doctor_who_volunteers):
    hospital, ngo = doctor_who_volunteers
    colleague = MembershipFactory(organisation=ngo.organisation, role_code="ngo_caseworker")
    person = create_person(actor=colleague)
    client = Client()
    login_verified(client, hospital.user)
    client.post("/accounts/membership/", {"membership": str(hospital.pk)})
    assert client.get(f"/persons/{person.pk}/").status_code == 404

    response = client.post("/accounts/membership/", {"membership": str(ngo.pk)})
    assert response.status_code == 302
    assert client.get(f"/persons/{person.pk}/").status_code == 200
    event = AuditEvent.objects.filter(action="membership.switched").latest("id")
    assert event.changes["role"]["new"] == "ngo_caseworker"


def test_home_offers_the_other_memberships(doctor_who_volunteers):
    hospital, ngo = doctor_who_volunteers
    client = Client()
    login_verified(client, hospital.user)
    page = client.get("/").content.decode()
    assert str(ngo.organisation) in page


@pytest.mark.parametrize("forged", ["not-a-uuid", "3f2b8c1e-9d4a-4c7b-8e21-5a6f0d9c4b17"])
def test_someone_elses_or_a_malformed_membership_is_not_found(doctor_who_volunteers, forged):
    hospital, _ = doctor_who_volunteers
    client = Client()
    login_verified(client, hospital.user)
    assert client.post("/accounts/membership/", {"membership": forged}).status_code == 404


def test_another_users_membership_cannot_be_taken(doctor_who_volunteers):
    hospital, _ = doctor_who_volunteers
    stranger = MembershipFactory(role_code="national_coordinator")
    client = Client()
    login_verified(client, hospital.user)
    assert client.post("/accounts/membership/", {"membership": str(stranger.pk)}).status_code == 404


def test_an_outside_next_url_is_not_followed(doctor_who_volunteers):
    hospital, ngo = doctor_who_volunteers
    client = Client()
    login_verified(client, hospital.user)
    response = client.post(
        "/accounts/membership/", {"membership": str(ngo.pk), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"
