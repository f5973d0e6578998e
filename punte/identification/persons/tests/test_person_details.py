"""Persons: what a record holds beyond names (estimated age, citizenships, languages, documents),
bad input refused with the field named, and changes audited."""

import datetime

import pytest
from django.db import connection
from django.http import Http404

from punte.accounts.tests.factories import MembershipFactory
from punte.core.crypto import blind_index
from punte.core.errors import ServiceError
from punte.core.models import AuditEvent
from punte.identification.persons import services
from punte.identification.persons.models import Person, PersonCitizenship
from punte.identification.persons.tests.factories import create_person
from punte.testing.api import ApiClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return MembershipFactory(role_code="regional_officer")


def test_a_full_record(officer):
    person = create_person(
        actor=officer,
        date_of_birth=None,
        citizenship=None,
        approximate_age=16,
        may_be_child=True,
        citizenships=["md", "RO"],
        languages=["ron", "rus"],
        identity_documents=[
            services.IdentityDocumentInput(type="passport", number="AB123456", issuing_country="MD")
        ],
    )
    fresh = Person.objects.get(pk=person.pk)
    assert fresh.citizenship_id == "MD"  # the first is the primary, counted by statistics
    assert fresh.citizenship_codes == ["MD", "RO"]
    assert not fresh.is_foreign_national
    assert sorted(fresh.languages.values_list("code", flat=True)) == ["ron", "rus"]
    assert fresh.age_estimated_on == datetime.date.today() or fresh.age_estimated_on is not None
    assert fresh.identity_documents == [
        {"type": "passport", "number": "AB123456", "issuing_country": "MD"}
    ]
    pk = Person._meta.pk.get_db_prep_value(person.pk, connection)
    with connection.cursor() as cursor:
        cursor.execute("SELECT identity_documents FROM identification_person WHERE id = %s", [pk])
        (stored,) = cursor.fetchone()
    assert stored.startswith("v1:") and "AB123456" not in stored


@pytest.mark.parametrize(
    ("fields", "error_field"),
    [
        ({"date_of_birth": datetime.date(2999, 1, 1)}, "date_of_birth"),
        ({"date_of_birth": None, "approximate_age": 121}, "approximate_age"),
        ({"date_of_birth": None, "approximate_age": -1}, "approximate_age"),
        ({"approximate_age": 30}, "approximate_age"),  # with a date of birth
        (
            {
                "date_of_birth": None,
                "approximate_age": 30,
                "age_estimated_on": datetime.date(2999, 1, 1),
            },
            "age_estimated_on",
        ),
        (
            {"date_of_birth": None, "age_estimated_on": datetime.date(2020, 1, 1)},
            "age_estimated_on",
        ),
        ({"may_be_child": True}, "may_be_child"),  # with a date of birth
        ({"citizenship": "XX"}, "citizenship"),
        ({"citizenship": None, "citizenships": ["RO", "ZZ"]}, "citizenships.1"),
        ({"citizenship": "UA", "citizenships": ["RO"]}, "citizenship"),
        ({"languages": ["ron", "xxx"]}, "languages.1"),
        (
            {"identity_documents": [services.IdentityDocumentInput(type="tattoo", number="1")]},
            "identity_documents.0.type",
        ),
        (
            {"identity_documents": [services.IdentityDocumentInput(type="passport", number=" ")]},
            "identity_documents.0.number",
        ),
        (
            {
                "identity_documents": [
                    services.IdentityDocumentInput(
                        type="passport", number="1", issuing_country="QQ"
                    )
                ]
            },
            "identity_documents.0.issuing_country",
        ),
    ],
)
def test_bad_input_names_the_field_and_records_nothing(officer, fields, error_field):
    with pytest.raises(ServiceError) as caught:
        create_person(actor=officer, **fields)
    assert caught.value.field == error_field
    assert not Person.objects.exists()
    assert not AuditEvent.objects.filter(action="person.created").exists()


def test_identity_unknown_is_allowed(officer):
    person = create_person(
        actor=officer, given_name=None, family_name=None, identity_unknown=True, date_of_birth=None
    )
    assert person.display_name == "Identity unknown"
    assert person.is_treated_as_child(datetime.date.today())


def _input(**fields):
    values = {
        "given_name": "Ana",
        "family_name": "Popescu",
        "date_of_birth": datetime.date(2001, 5, 17),
        "sex": "female",
        "citizenships": ["RO"],
    }
    values.update(fields)
    return services.PersonInput(**values)


def test_an_update_keeps_indexes_in_step_and_is_audited_without_personal_values(officer):
    person = create_person(actor=officer)
    updated = services.person_update(
        actor=officer,
        person_id=person.pk,
        data=_input(family_name="Ionescu", citizenships=["UA"], languages=["ukr"]),
    )
    assert updated.family_name_index == blind_index("Ionescu", purpose="person.family_name")
    assert Person.objects.get(pk=person.pk).is_foreign_national
    assert list(
        PersonCitizenship.objects.filter(person=person).values_list("country_id", flat=True)
    ) == ["UA"]
    event = AuditEvent.objects.get(action="person.changed")
    assert event.person_id == person.pk
    assert event.changes["family_name"] == "[personal data]"
    assert event.changes["citizenships"] == {"old": ["RO"], "new": ["UA"]}
    assert "Ionescu" not in str(event.changes)
    # Nothing changed: no event.
    services.person_update(
        actor=officer,
        person_id=person.pk,
        data=_input(family_name="Ionescu", citizenships=["UA"], languages=["ukr"]),
    )
    assert AuditEvent.objects.filter(action="person.changed").count() == 1


def test_a_refused_update_changes_nothing(officer):
    person = create_person(actor=officer)
    with pytest.raises(ServiceError):
        services.person_update(
            actor=officer,
            person_id=person.pk,
            data=_input(family_name="Ionescu", languages=["zzz"]),
        )
    fresh = Person.objects.get(pk=person.pk)
    assert fresh.family_name == "Popescu"
    assert not AuditEvent.objects.filter(action="person.changed").exists()


def test_an_update_outside_scope_is_not_found(officer):
    person = create_person(actor=officer)
    for stranger in [
        MembershipFactory(role_code="regional_officer"),
        MembershipFactory(organisation=officer.organisation, role_code="auditor"),
    ]:
        with pytest.raises(Http404):
            services.person_update(actor=stranger, person_id=person.pk, data=_input())


def test_the_api_records_and_changes_a_person(officer):
    api = ApiClient(officer)
    created = api.post(
        "/persons",
        {
            "given_name": "Oksana",
            "approximate_age": 15,
            "may_be_child": True,
            "sex": "female",
            "citizenships": ["UA"],
            "languages": ["ukr", "rus"],
            "identity_documents": [
                {"type": "birth_certificate", "number": "I-ЖР 123456", "issuing_country": "UA"}
            ],
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["treated_as_child"] is True
    assert body["citizenship"] == "UA"
    assert body["citizenships"] == ["UA"]
    assert body["languages"] == ["rus", "ukr"]
    assert body["identity_documents"][0]["number"] == "I-ЖР 123456"
    changed = api.put(
        f"/persons/{body['id']}",
        {
            "given_name": "Oksana",
            "date_of_birth": "2005-03-01",
            "sex": "female",
            "citizenships": ["UA", "RO"],
        },
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["treated_as_child"] is False
    assert changed.json()["identity_documents"] == []
    bad = api.put(f"/persons/{body['id']}", {"given_name": "O", "date_of_birth": "2999-01-01"})
    assert bad.status_code == 422
    assert bad["Content-Type"] == "application/problem+json"
    assert bad.json()["errors"][0]["field"] == "date_of_birth"
    unknown_language = api.post("/persons", {"given_name": "X", "languages": ["xx1"]})
    assert unknown_language.status_code == 422
    assert unknown_language.json()["errors"][0]["field"] == "languages.0"
    other = ApiClient(MembershipFactory(role_code="regional_officer"))
    assert other.put(f"/persons/{body['id']}", {"given_name": "Z"}).status_code == 404
