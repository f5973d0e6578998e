import datetime

import pytest
from django.utils import timezone

from punte.accounts.tests.factories import MembershipFactory
from punte.identification.persons.tests.factories import create_person
from punte.identification.screening.models import ConsentEvent, IdentificationDecision, Screening
from punte.identification.screening.tests.factories import VERSION, load_catalogue, make_competent
from punte.testing.api import ApiClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinician():
    load_catalogue()
    return MembershipFactory(role_code="clinician")


def _problem_field(response):
    assert response["Content-Type"] == "application/problem+json"
    return [e["field"] for e in response.json().get("errors", [])]


def test_the_short_screen_through_the_api(clinician):
    api = ApiClient(clinician)
    person = create_person(
        actor=clinician, date_of_birth=None, birth_year=None, identity_unknown=True
    )
    started = api.post(f"/persons/{person.pk}/screenings", {"kind": "short"})
    assert started.status_code == 201, started.content
    body = started.json()
    assert (body["status"], body["is_child"], body["lists"]) == ("draft", True, ["clinical"])
    assert body["catalogue_version"] == VERSION
    screening = f"/screenings/{body['id']}"
    answers = {"SS-1": "no", "SS-2": "yes", "SS-3": "no", "SS-4": "yes", "SS-5": "no", "SS-6": "no"}
    saved = api.post(f"{screening}/answers", {"answers": answers, "catalogue_version": VERSION})
    assert saved.status_code == 200 and saved.json()["answers"] == answers
    assert [d["id"] for d in api.get("/screenings/drafts").json()["items"]] == [body["id"]]
    done = api.post(f"{screening}/complete")
    assert done.status_code == 200, done.content
    result = done.json()
    # A child: exploitation (SS-2) and one sign of control (SS-4) suffice.
    assert result["outcome"] == "presumed_victim"
    assert result["result"]["yes"] == ["SS-2", "SS-4"]
    assert result["explanation"][0].startswith("Presumed victim")
    again = api.post(f"{screening}/complete")
    assert again.status_code == 409
    assert "completed" in again.json()["detail"]
    history = api.get(f"/persons/{person.pk}/screenings").json()["items"]
    assert [h["outcome"] for h in history] == ["presumed_victim"]
    assert api.get("/screenings/drafts").json()["items"] == []


def test_bad_screening_input_is_a_problem_naming_the_field(clinician):
    api = ApiClient(clinician)
    person = create_person(actor=clinician)
    assert _problem_field(
        api.post(f"/persons/{person.pk}/screenings", {"kind": "full", "lists": ["child_labour"]})
    ) == ["lists"]
    assert _problem_field(api.post(f"/persons/{person.pk}/screenings", {"kind": "long"})) == [
        "kind"
    ]
    draft = api.post(
        f"/persons/{person.pk}/screenings", {"kind": "full", "lists": ["adult_labour"]}
    ).json()
    path = f"/screenings/{draft['id']}/answers"
    unknown = api.post(path, {"answers": {"AL-ZZ-01": True}})
    assert unknown.status_code == 422
    assert _problem_field(unknown) == ["answers.AL-ZZ-01"]
    other = api.post(path, {"answers": {"AL-DR-01": True}, "catalogue_version": "ilo-ec-2009-v2"})
    assert _problem_field(other) == ["catalogue_version"]
    assert _problem_field(api.post(path, {"answers": {}, "extra": 1})) == ["extra"]
    assert Screening.objects.get(pk=draft["id"]).answers == {}
    suspended = api.post(f"/screenings/{draft['id']}/suspend", {"reason": "person_unwell"})
    assert suspended.json()["draft_reason"] == "person_unwell"


def test_the_catalogue_for_clients(clinician):
    body = ApiClient(clinician).get("/indicator-catalogues/latest").json()
    assert body["version"] == VERSION
    codes = {i["code"]: i for i in body["indicators"]}
    assert codes["AL-DR-01"]["grade"] == "strong"
    assert {item["list"] for item in body["lists"]} >= {"adult_labour", "child_sexual", "clinical"}
    assert ApiClient(clinician).get("/indicator-catalogues/nope").status_code == 404


def test_consent_and_anonymous_notification_through_the_api(clinician):
    api = ApiClient(clinician)
    person = create_person(actor=clinician)
    today = timezone.localdate().isoformat()
    assert api.get(f"/persons/{person.pk}/consent").json()["referral"] == "not_asked"
    refused = api.post(
        f"/persons/{person.pk}/consent",
        {
            "purpose": "referral",
            "decision": "refused",
            "decided_on": today,
            "rights_language": "uk",
        },
    )
    assert refused.status_code == 201, refused.content
    state = api.get(f"/persons/{person.pk}/consent").json()
    assert (state["referral"], state["data_sharing"]) == ("refused", "not_asked")
    assert state["events"][0]["rights_language"] == "uk"
    withdrawn = api.post(
        f"/persons/{person.pk}/consent",
        {
            "purpose": "referral",
            "decision": "withdrawn",
            "decided_on": today,
            "rights_language": "uk",
        },
    )
    assert withdrawn.status_code == 422 and _problem_field(withdrawn) == ["decision"]
    assert ConsentEvent.objects.count() == 1
    notified = api.post(
        f"/persons/{person.pk}/anonymous-notification",
        {"exploitation_forms": ["labour"], "notified_on": today},
    )
    assert notified.status_code == 201, notified.content
    body = notified.json()
    assert set(body) == {
        "id",
        "sex",
        "age_group",
        "citizenship_group",
        "exploitation_forms",
        "county",
        "organisation_id",
        "notified_on",
        "created_at",
    }
    assert str(person.pk) not in notified.content.decode()
    listed = api.get("/anonymous-notifications").json()["items"]
    assert [n["id"] for n in listed] == [body["id"]]


def test_a_decision_through_the_api_and_the_refusal_of_a_non_competent_organisation():
    member = MembershipFactory(role_code="prosecutor")  # an NGO: not a competent authority
    person = create_person(
        actor=MembershipFactory(role_code="regional_officer", organisation=member.organisation)
    )
    body = {
        "outcome": "identified_victim",
        "decided_on": timezone.localdate().isoformat(),
        "grounds": "Evidence file 12",
        "exploitation_forms": ["sexual"],
    }
    refused = ApiClient(member).post(f"/persons/{person.pk}/decisions", body)
    assert refused.status_code == 403
    assert _problem_field(refused) == ["organisation"]
    assert "not a competent authority" in refused.json()["detail"]
    assert not IdentificationDecision.objects.exists()

    make_competent(member)
    future = {**body, "decided_on": (timezone.localdate() + datetime.timedelta(days=1)).isoformat()}
    assert _problem_field(ApiClient(member).post(f"/persons/{person.pk}/decisions", future)) == [
        "decided_on"
    ]
    made = ApiClient(member).post(f"/persons/{person.pk}/decisions", body)
    assert made.status_code == 201, made.content
    assert made.json()["grounds"] == "Evidence file 12"
    # A caseworker of the organisation sees the decision, not its grounds.
    colleague = MembershipFactory(role_code="regional_officer", organisation=member.organisation)
    seen = ApiClient(colleague).get(f"/persons/{person.pk}/decisions").json()["items"]
    assert [(d["outcome"], d["grounds"]) for d in seen] == [("identified_victim", None)]


def test_a_reflection_period_through_the_api():
    prosecutor = make_competent(MembershipFactory(role_code="prosecutor"))
    api = ApiClient(prosecutor)
    person = create_person(actor=prosecutor, citizenship="MD")
    today = timezone.localdate()
    too_long = api.post(
        f"/persons/{person.pk}/reflection-periods",
        {
            "starts_on": today.isoformat(),
            "ends_on": (today + datetime.timedelta(days=90)).isoformat(),
        },
    )
    assert too_long.status_code == 422 and _problem_field(too_long) == ["ends_on"]
    made = api.post(
        f"/persons/{person.pk}/reflection-periods",
        {
            "starts_on": today.isoformat(),
            "ends_on": (today + datetime.timedelta(days=9)).isoformat(),
        },
    )
    assert made.status_code == 201, made.content
    period = made.json()
    ending = api.get("/reflection-periods/ending", within_days=14).json()["items"]
    assert [p["id"] for p in ending] == [period["id"]]
    # The range is in the document, and enforced as every documented limit is: 422 naming it.
    refused = api.get("/reflection-periods/ending", within_days=91)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "within_days"
    extended = api.post(
        f"/reflection-periods/{period['id']}/extend",
        {"ends_on": (today + datetime.timedelta(days=60)).isoformat(), "reason": "Therapy"},
    )
    assert [e["kind"] for e in extended.json()["events"]] == ["started", "extended"]


def _documented(document, schema):
    """A validator for a schema of the OpenAPI document, its references resolved in it."""
    import jsonschema_rs

    return jsonschema_rs.validator_for({**schema, "components": document["components"]})


def test_decisions_are_sent_and_answered_as_the_document_says():
    # The document once described this operation with linkage's DecisionIn/DecisionOut: a
    # client sending the documented body got a 422, and the answer failed its own schema.
    import json

    from django.test import Client

    document = json.loads(Client().get("/api/v1/openapi.json").content)
    operations = document["paths"]["/api/v1/persons/{person_id}/decisions"]
    member = make_competent(MembershipFactory(role_code="prosecutor"))
    person = create_person(
        actor=MembershipFactory(role_code="regional_officer", organisation=member.organisation)
    )
    body = {
        "outcome": "presumed_victim",
        "decided_on": timezone.localdate().isoformat(),
        "grounds": "Statement of 3 May",
        "exploitation_forms": ["labour"],
    }
    request_schema = operations["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert _documented(document, request_schema).is_valid(body)
    made = ApiClient(member).post(f"/persons/{person.pk}/decisions", body)
    assert made.status_code == 201, made.content
    created_schema = operations["post"]["responses"]["201"]["content"]["application/json"]
    _documented(document, created_schema["schema"]).validate(made.json())
    listed = ApiClient(member).get(f"/persons/{person.pk}/decisions")
    listed_schema = operations["get"]["responses"]["200"]["content"]["application/json"]
    _documented(document, listed_schema["schema"]).validate(listed.json())
