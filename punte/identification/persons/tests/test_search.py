"""Exact search on encrypted names through blind indexes: POST /api/v1/persons/search."""

import datetime

import pytest

from punte.accounts.tests.factories import MembershipFactory
from punte.core.errors import ServiceError
from punte.core.models import AuditEvent
from punte.identification.persons import selectors
from punte.identification.persons.tests.factories import create_person
from punte.testing.api import ApiClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return MembershipFactory(role_code="regional_officer")


def found(client, **body):
    response = client.post("/persons/search", body)
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


@pytest.mark.parametrize(
    "spelling",
    ["Ștefănescu", "STEFANESCU", "Ştefănescu", "stefanescu", "  ȘTEFĂNESCU "],
    ids=["comma below", "upper ascii", "cedilla", "lower ascii", "spaces"],
)
def test_family_name_matches_whatever_the_case_diacritics_or_s_form(officer, spelling):
    wanted = create_person(actor=officer, family_name="Ștefănescu", given_name="Ilinca")
    create_person(actor=officer, family_name="Stefanescul", given_name="Ilinca")
    assert found(ApiClient(officer), family_name=spelling) == {str(wanted.pk)}


def test_a_name_stored_with_cedilla_is_found_with_comma_below(officer):
    wanted = create_person(actor=officer, family_name="Ţurcanu", given_name="Şerban")
    assert found(ApiClient(officer), family_name="Țurcanu", given_name="Șerban") == {str(wanted.pk)}


def test_every_criterion_given_must_match(officer):
    dob = datetime.date(1999, 12, 31)
    both = create_person(actor=officer, family_name="Munteanu", given_name="Irina",
                         date_of_birth=dob)  # fmt: skip
    create_person(actor=officer, family_name="Munteanu", given_name="Oana", date_of_birth=dob)
    client = ApiClient(officer)
    assert len(found(client, family_name="Munteanu")) == 2
    assert found(client, family_name="munteanu", given_name="IRINA") == {str(both.pk)}
    assert found(client, date_of_birth="1999-12-31", given_name="Irina") == {str(both.pk)}
    assert found(client, family_name="Munteanu", date_of_birth="1999-12-30") == set()


def test_a_blank_criterion_is_ignored_not_matched_against_missing_names(officer):
    nameless = create_person(actor=officer, given_name=None, family_name="Rusu")
    unknown = create_person(actor=officer, given_name=None, family_name=None,
                            identity_unknown=True)  # fmt: skip
    result = found(ApiClient(officer), family_name="Rusu", given_name="   ")
    assert result == {str(nameless.pk)}
    assert str(unknown.pk) not in result


@pytest.mark.parametrize("body", [{}, {"family_name": "  ", "given_name": ""}])
def test_no_criterion_is_a_422_naming_the_field(officer, body):
    response = ApiClient(officer).post("/persons/search", body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "family_name"


def test_unknown_fields_and_bad_dates_are_refused_by_name(officer):
    client = ApiClient(officer)
    response = client.post("/persons/search", {"surname": "Rusu"})
    assert response.status_code == 422
    assert "surname" in response.json()["detail"]
    response = client.post("/persons/search", {"date_of_birth": "31.12.1999"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "date_of_birth"


def test_search_sees_only_what_the_actor_may_see(officer):
    elsewhere = MembershipFactory(role_code="regional_officer")
    mine = create_person(actor=officer, family_name="Dobre")
    create_person(actor=elsewhere, family_name="Dobre")
    assert found(ApiClient(officer), family_name="Dobre") == {str(mine.pk)}
    no_permission = MembershipFactory(role_code="evaluator", organisation=officer.organisation)
    assert found(ApiClient(no_permission), family_name="Dobre") == set()


def test_archived_persons_are_not_found(officer):
    person = create_person(actor=officer, family_name="Arhivă")
    type(person).objects.filter(pk=person.pk).update(archived_at=person.created_at)
    assert found(ApiClient(officer), family_name="Arhiva") == set()


def test_results_carry_no_names(officer):
    create_person(actor=officer, family_name="Vlăduțescu", given_name="Sorina")
    response = ApiClient(officer).post("/persons/search", {"family_name": "Vladutescu"})
    body = response.content.decode()
    assert "Vl" not in body and "Sorina" not in body
    assert set(response.json()["items"][0]) == {
        "id", "created_at", "sex", "birth_year", "citizenship", "identity_unknown",
    }  # fmt: skip


def test_the_search_is_audited_with_its_count_only(officer):
    create_person(actor=officer, family_name="Căpraru")
    create_person(actor=officer, family_name="Capraru")
    ApiClient(officer).post("/persons/search", {"family_name": "CAPRARU", "given_name": "Ana"})
    event = AuditEvent.objects.get(action="person.searched")
    assert event.changes == {"count": 2}
    assert event.actor_id == officer.user_id
    assert event.organisation_id == officer.organisation_id


def test_results_are_paged_with_a_cursor_in_the_body(officer):
    made = {str(create_person(actor=officer, family_name="Lungu").pk) for _ in range(3)}
    client = ApiClient(officer)
    first = client.post("/persons/search", {"family_name": "Lungu", "limit": 2}).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    second = client.post(
        "/persons/search", {"family_name": "Lungu", "limit": 2, "cursor": first["next_cursor"]}
    ).json()
    assert {i["id"] for i in first["items"] + second["items"]} == made
    assert second["next_cursor"] is None


def test_names_cannot_be_sent_in_the_url(officer):
    # The old GET-with-parameters shape is not offered: names in URLs end up in access logs.
    response = ApiClient(officer).get("/persons/search", family_name="Lungu")
    assert response.status_code in (404, 405)
    personal = {"family_name", "given_name", "date_of_birth", "name"}
    assert not personal & set(_documented_query_parameters())


def _documented_query_parameters():
    from punte.api import api

    schema = api.get_openapi_schema()
    for operations in schema["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query":
                    yield parameter["name"]


def test_selector_requires_a_criterion_and_uses_no_plaintext(officer):
    with pytest.raises(ServiceError):
        selectors.person_search_visible_to(actor=officer)
    query = str(selectors.person_search_visible_to(actor=officer, family_name="Rusu").query)
    assert "Rusu" not in query and "rusu" not in query
