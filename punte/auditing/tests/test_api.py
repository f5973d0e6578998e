"""GET /api/v1/audit/persons/{person_id}/access: the access log over the API."""

import uuid

import pytest

from punte.accounts.tests.factories import MembershipFactory
from punte.core.models import AuditEvent
from punte.identification.persons.tests.factories import create_person
from punte.testing.api import ApiClient

pytestmark = pytest.mark.django_db


def access_path(person_id) -> str:
    return f"/audit/persons/{person_id}/access"


@pytest.fixture
def dpo_api():
    return ApiClient(MembershipFactory(role_code="data_protection_officer"))


def test_the_dpo_gets_every_event_about_a_person_newest_first(dpo_api):
    officer = MembershipFactory()
    person = create_person(actor=officer)
    ApiClient(officer).get(f"/persons/{person.pk}")

    response = dpo_api.get(access_path(person.pk))
    assert response.status_code == 200, response.content
    items = response.json()["items"]
    assert [i["action"] for i in items] == [
        "audit.person_access_viewed",
        "person.viewed",
        "person.created",
    ]
    viewed = items[1]
    event = AuditEvent.objects.get(action="person.viewed")
    assert viewed["id"] == event.pk
    assert viewed["actor_username"] == officer.user.username
    assert viewed["actor_id"] == str(officer.user_id)
    assert viewed["organisation_id"] == str(officer.organisation_id)
    assert viewed["organisation_name"] == officer.organisation.name
    assert viewed["request_id"] == event.request_id
    assert viewed["subject_id"] == str(person.pk)
    assert "source_ip" not in viewed and "changes" not in viewed
    lookup = AuditEvent.objects.get(action="audit.person_access_viewed")
    assert lookup.changes == {"via": "api"} and lookup.person_id == person.pk


def test_the_log_pages_with_a_cursor(dpo_api):
    person = create_person()
    first = dpo_api.get(access_path(person.pk), limit=1).json()
    assert len(first["items"]) == 1 and first["next_cursor"]
    second = dpo_api.get(access_path(person.pk), limit=1, cursor=first["next_cursor"]).json()
    assert second["items"][0]["id"] != first["items"][0]["id"]
    assert second["items"][0]["action"] == "person.created"


def test_a_person_unknown_here_gets_an_answer_not_an_error(dpo_api):
    response = dpo_api.get(access_path(uuid.uuid4()))
    assert response.status_code == 200
    assert [i["action"] for i in response.json()["items"]] == ["audit.person_access_viewed"]


@pytest.mark.parametrize("role", ["regional_officer", "auditor", "national_coordinator"])
def test_others_get_404_and_leave_no_lookup(role):
    person = create_person()
    response = ApiClient(MembershipFactory(role_code=role)).get(access_path(person.pk))
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert not AuditEvent.objects.filter(action="audit.person_access_viewed").exists()


def test_bad_input_is_a_4xx_naming_the_field(dpo_api):
    bad_id = dpo_api.get(access_path("Popescu"))
    assert bad_id.status_code == 422
    assert "person_id" in bad_id.content.decode()
    bad_cursor = dpo_api.get(access_path(uuid.uuid4()), cursor="forged")
    assert bad_cursor.status_code == 400
    assert "cursor" in bad_cursor.content.decode()
    bad_limit = dpo_api.get(access_path(uuid.uuid4()), limit=0)
    assert bad_limit.status_code in (400, 422)
    assert "limit" in bad_limit.content.decode()


def test_unauthenticated_callers_are_refused():
    assert ApiClient().get(access_path(uuid.uuid4())).status_code == 401
