"""/api/v1/signals end to end: record with an Idempotency-Key, list, open, triage."""

import pytest

from punte.accounts.models import OrganisationType
from punte.accounts.tests.factories import MembershipFactory, OrganisationFactory
from punte.core.models import AuditEvent
from punte.identification.persons.tests.factories import create_person
from punte.identification.signals.models import Signal, SignalTransition
from punte.identification.signals.tests.factories import create_signal
from punte.testing.api import ApiClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return MembershipFactory(role_code="police_investigator")


def _body(**fields):
    body = {
        "channel": "agency_system",
        "description": "Four men sleep in the warehouse they work in; passports held by the boss.",
        "county": "RO-IS",
        "locality": "Pașcani",
        "observed_on": "2026-11-20",
        "exploitation_forms": ["labour"],
        "external_reference": "ITM-2026-0042",
    }
    body.update(fields)
    return body


def test_record_with_an_idempotency_key_then_replay_writes_once(officer):
    api = ApiClient(officer)
    person = create_person(actor=officer)
    body = _body(people=[{"person_id": str(person.pk)}, {"description": "A fifth man, older"}])
    first = api.post("/signals", body, headers={"Idempotency-Key": "itm-42"})
    assert first.status_code == 201, first.content
    created = first.json()
    assert created["status"] == "new"
    assert created["responsible_organisation_id"] == str(officer.organisation_id)
    assert created["people"][0]["person_id"] == str(person.pk)
    assert created["people"][1]["description"] == "A fifth man, older"
    assert created["transitions"][0]["to_status"] == "new"
    replay = api.post("/signals", body, headers={"Idempotency-Key": "itm-42"})
    assert replay.status_code == 201
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.json()["id"] == created["id"]
    assert Signal.objects.count() == 1
    assert AuditEvent.objects.filter(action="signal.created").count() == 1
    other = api.post("/signals", _body(description="Else"), headers={"Idempotency-Key": "itm-42"})
    assert other.status_code == 422
    assert Signal.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"channel": "public_report"}, "channel"),
        ({"channel": "fax"}, "channel"),
        ({"county": "RO-ZZ"}, "county"),
        ({"observed_on": "2999-01-01"}, "observed_on"),
        ({"exploitation_forms": ["labour", "nonsense"]}, "exploitation_forms.1"),
        ({"description": ""}, "description"),
        ({"description": "x" * 5001}, "description"),
        ({"people": [{"person_id": "not-a-uuid"}]}, "people.0.person_id"),
        ({"people": [{}]}, "people.0"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_input_is_a_problem_naming_the_field(officer, change, field):
    response = ApiClient(officer).post("/signals", _body(**change))
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert field in [e["field"] for e in response.json()["errors"]]
    assert not Signal.objects.exists()


def test_a_person_of_another_organisation_cannot_be_linked(officer):
    stranger = create_person(actor=MembershipFactory(role_code="regional_officer"))
    response = ApiClient(officer).post("/signals", _body(people=[{"person_id": str(stranger.pk)}]))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "people.0.person_id"


def test_list_pages_with_a_cursor_and_filters_by_status(officer):
    signals = [create_signal(actor=officer) for _ in range(5)]
    api = ApiClient(officer)
    api.post(f"/signals/{signals[0].pk}/triage", {"to": "in_triage"})
    first = api.get("/signals", limit=3).json()
    assert len(first["items"]) == 3
    second = api.get("/signals", limit=3, cursor=first["next_cursor"]).json()
    seen = [i["id"] for i in first["items"] + second["items"]]
    assert sorted(seen) == sorted(str(s.pk) for s in signals)
    assert "description" not in first["items"][0]
    in_triage = api.get("/signals", status="in_triage").json()["items"]
    assert [i["id"] for i in in_triage] == [str(signals[0].pk)]
    assert api.get("/signals", status="bogus").status_code == 422


def test_another_organisations_user_gets_404(officer):
    signal = create_signal(actor=officer)
    stranger = ApiClient(MembershipFactory(role_code="police_investigator"))
    for response in [
        stranger.get(f"/signals/{signal.pk}"),
        stranger.post(f"/signals/{signal.pk}/triage", {"to": "in_triage"}),
    ]:
        assert response.status_code == 404
        assert response["Content-Type"] == "application/problem+json"
    signal.refresh_from_db()
    assert signal.status == "new"
    assert ApiClient(officer).get("/signals/not-a-uuid").status_code == 404


def test_opening_is_audited(officer):
    signal = create_signal(actor=officer)
    response = ApiClient(officer).get(f"/signals/{signal.pk}")
    assert response.status_code == 200
    assert response.json()["description"].startswith("Three young women")
    assert AuditEvent.objects.filter(action="signal.viewed", subject_id=str(signal.pk)).count() == 1


def test_triage_walks_the_lifecycle(officer):
    signal = create_signal(actor=officer)
    api = ApiClient(officer)
    prosecution = OrganisationFactory(type=OrganisationType.PROSECUTION)
    taken = api.post(f"/signals/{signal.pk}/triage", {"to": "in_triage"})
    assert taken.status_code == 200, taken.content
    refused = api.post(f"/signals/{signal.pk}/triage", {"to": "new"})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "to"
    unreasoned = api.post(f"/signals/{signal.pk}/triage", {"to": "closed"})
    assert unreasoned.status_code == 422
    assert unreasoned.json()["errors"][0]["field"] == "close_reason"
    assigned = api.post(
        f"/signals/{signal.pk}/triage",
        {"to": "assigned", "assign_to": str(prosecution.pk), "note": "For DIICOT"},
    )
    assert assigned.status_code == 200
    body = assigned.json()
    assert body["responsible_organisation_id"] == str(prosecution.pk)
    assert [t["to_status"] for t in body["transitions"]] == ["new", "in_triage", "assigned"]
    assert body["transitions"][-1]["note"] == "For DIICOT"
    assert SignalTransition.objects.filter(signal=signal).count() == 3
    assert AuditEvent.objects.filter(action="signal.transitioned").count() == 2


def test_triage_replays_with_the_same_key(officer):
    signal = create_signal(actor=officer)
    api = ApiClient(officer)
    body = {"to": "closed", "close_reason": "no_indication"}
    first = api.post(f"/signals/{signal.pk}/triage", body, headers={"Idempotency-Key": "k1"})
    again = api.post(f"/signals/{signal.pk}/triage", body, headers={"Idempotency-Key": "k1"})
    assert first.status_code == again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert SignalTransition.objects.filter(signal=signal).count() == 2


def test_the_schema_documents_the_signal_operations():
    from punte.api import api

    paths = api.get_openapi_schema()["paths"]
    assert {
        "/api/v1/signals",
        "/api/v1/signals/{signal_id}",
        "/api/v1/signals/{signal_id}/triage",
    } <= set(paths)


def test_name_one_more_person(officer):
    signal = create_signal(actor=officer)
    person = create_person(actor=officer)
    api = ApiClient(officer)
    added = api.post(f"/signals/{signal.pk}/people", {"person_id": str(person.pk)})
    assert added.status_code == 201, added.content
    assert [p["person_id"] for p in added.json()["people"]] == [str(person.pk)]
    assert AuditEvent.objects.get(action="signal.person_linked").person_id == person.pk
    again = api.post(f"/signals/{signal.pk}/people", {"person_id": str(person.pk)})
    assert again.status_code == 422
    assert again.json()["errors"][0]["field"] == "person_id"
    stranger_person = create_person(actor=MembershipFactory(role_code="regional_officer"))
    hidden = api.post(f"/signals/{signal.pk}/people", {"person_id": str(stranger_person.pk)})
    assert hidden.status_code == 422
    assert hidden.json()["errors"][0]["field"] == "person_id"
    empty = api.post(f"/signals/{signal.pk}/people", {})
    assert empty.status_code == 422
    described = api.post(f"/signals/{signal.pk}/people", {"description": "Her sister, about 12"})
    assert described.status_code == 201
    assert len(described.json()["people"]) == 2
