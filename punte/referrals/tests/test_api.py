"""The mechanism's referral flow through the API: route, send, answer, complete; bad input."""

import pytest

from punte.accounts.models import OrganisationType
from punte.accounts.tests.factories import MembershipFactory, OrganisationFactory
from punte.referrals.models import Referral
from punte.referrals.tests.factories import ServiceOfferingFactory, send_service_referral
from punte.referrals.tests.helpers import adult, child, county_bodies, first_responder
from punte.testing.api import ApiClient

pytestmark = pytest.mark.django_db


def test_a_child_routed_sent_accepted_and_completed(rules):
    bodies = county_bodies()
    physician = first_responder()
    person = child(physician)
    dgaspc = MembershipFactory(
        organisation=bodies[OrganisationType.CHILD_PROTECTION], role_code="child_protection_officer"
    )
    api = ApiClient(physician)

    routing = api.get(f"/persons/{person.pk}/routing", county="RO-CJ").json()
    assert routing["is_child"] and routing["can_send"] and routing["consent_state"] == "child"
    proposals = {p["rule_code"]: p for p in routing["proposals"]}
    assert set(proposals) == {"child-protection", "child-prosecutor", "regional-centre"}
    assert proposals["child-protection"]["respond_within_hours"] == 24
    assert "DGASPC" in proposals["child-protection"]["explanation"]

    body = {
        "county": "RO-CJ",
        "note": "Found at the bus station.",
        "referrals": [
            {"rule_code": code, "receiver_organisation_id": p["candidates"][0]["id"]}
            for code, p in proposals.items()
        ],
    }
    sent = api.post(f"/persons/{person.pk}/referrals", body, headers={"Idempotency-Key": "k1"})
    assert sent.status_code == 201, sent.content
    assert len(sent.json()["referrals"]) == 3
    replay = api.post(f"/persons/{person.pk}/referrals", body, headers={"Idempotency-Key": "k1"})
    assert replay["Idempotent-Replayed"] == "true"
    assert Referral.objects.count() == 3

    inbox = ApiClient(dgaspc)
    incoming = inbox.get("/referrals/incoming").json()["items"]
    assert len(incoming) == 1 and incoming[0]["status"] == "sent"
    referral_id = incoming[0]["id"]
    # Before accepting, the person's record stays closed to the DGASPC.
    assert inbox.get(f"/persons/{person.pk}").status_code == 404
    detail = inbox.get(f"/referrals/{referral_id}").json()
    assert detail["note"] == "Found at the bus station."
    assert detail["allowed_transitions"] == ["accepted", "rejected", "withdrawn"]

    accepted = inbox.post(f"/referrals/{referral_id}/accept")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert inbox.get(f"/persons/{person.pk}").status_code == 200
    again = inbox.post(f"/referrals/{referral_id}/accept")
    assert again.status_code == 409
    assert again.json()["errors"] == [
        {
            "field": "status",
            "message": "This referral is Accepted: it cannot become Accepted. "
            "Allowed now: Completed, Withdrawn.",
        }
    ]
    done = inbox.post(f"/referrals/{referral_id}/complete").json()
    assert [e["action"] for e in done["events"]] == ["sent", "accepted", "completed"]
    assert ApiClient(physician).get("/referrals/awaiting").json()["items"].__len__() == 2


def test_send_refusals_name_the_field_and_change_nothing(rules):
    physician = first_responder()
    person = adult(physician, consent=None)
    ngo = OrganisationFactory(type=OrganisationType.NGO)
    ServiceOfferingFactory(organisation=ngo, service="medical")
    api = ApiClient(physician)
    no_consent = api.post(
        f"/persons/{person.pk}/referrals",
        {"referrals": [{"receiver_organisation_id": str(ngo.pk), "service": "medical"}]},
    )
    assert no_consent.status_code == 422
    assert no_consent.json()["errors"][0]["field"] == "person"

    young = child(physician)
    not_offered = api.post(
        f"/persons/{young.pk}/referrals",
        {"referrals": [{"receiver_organisation_id": str(ngo.pk), "service": "shelter"}]},
    )
    assert not_offered.status_code == 422
    assert not_offered.json()["errors"][0]["field"] == "referrals.0.receiver_organisation_id"
    unknown_field = api.post(
        f"/persons/{young.pk}/referrals",
        {"referrals": [{"receiver_organisation_id": str(ngo.pk), "service": "spa"}]},
    )
    assert unknown_field.status_code == 422
    assert unknown_field.json()["errors"][0]["field"] == "referrals.0.service"
    assert not Referral.objects.exists()


def test_reject_without_reason_is_422_naming_reason(rules):
    referral = send_service_referral()
    responder = MembershipFactory(
        organisation=referral.receiver_organisation, role_code="ngo_caseworker"
    )
    response = ApiClient(responder).post(f"/referrals/{referral.pk}/reject", {"reason": ""})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "reason"


def test_incoming_worklist_pages_by_deadline_with_a_cursor(rules):
    receiver = OrganisationFactory(type=OrganisationType.NGO)
    responder = MembershipFactory(organisation=receiver, role_code="ngo_caseworker")
    made = [send_service_referral(receiver=receiver) for _ in range(5)]
    api = ApiClient(responder)
    first = api.get("/referrals/incoming", limit=2).json()
    second = api.get("/referrals/incoming", limit=2, cursor=first["next_cursor"]).json()
    third = api.get("/referrals/incoming", limit=2, cursor=second["next_cursor"]).json()
    ids = [i["id"] for page in (first, second, third) for i in page["items"]]
    expected = sorted(made, key=lambda r: (r.due_at, r.pk))
    assert ids == [str(r.pk) for r in expected]
    assert third["next_cursor"] is None
    assert api.get("/referrals/incoming", cursor="forged").status_code == 400


def test_service_registry_through_the_api():
    admin = MembershipFactory(role_code="system_admin")
    ngo = OrganisationFactory(type=OrganisationType.NGO, is_active=False)
    api = ApiClient(admin)
    refused = api.post(
        "/services", {"organisation_id": str(ngo.pk), "service": "shelter", "county": "RO-CJ"}
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "organisation_id"
    active = OrganisationFactory(type=OrganisationType.NGO)
    created = api.post(
        "/services", {"organisation_id": str(active.pk), "service": "shelter", "county": "RO-CJ"}
    )
    assert created.status_code == 201
    listed = ApiClient(MembershipFactory()).get("/services?county=RO-CJ").json()
    assert [o["organisation"]["id"] for o in listed] == [str(active.pk)]
