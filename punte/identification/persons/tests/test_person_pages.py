"""Person create and edit pages: the fields of a full record, refusals on the right field."""

import pytest

from punte.accounts.tests.factories import MembershipFactory
from punte.core.models import AuditEvent
from punte.identification.persons.models import Person
from punte.identification.persons.tests.factories import create_person
from punte.testing.web import verified_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return MembershipFactory(role_code="ngo_caseworker")


def _form(**fields):
    data = {
        "given_name": "Natalia",
        "family_name": "Bondarenko",
        "sex": "female",
        "approximate_age": "16",
        "may_be_child": "on",
        "citizenship": "UA",
        "other_citizenships": ["MD"],
        "language": "ukr",
        "other_languages": ["rus"],
        "document_type_0": "passport",
        "document_number_0": "FX 012345",
        "document_country_0": "UA",
    }
    data.update(fields)
    return data


def test_record_a_person_from_the_page(officer):
    client = verified_client(officer.user)
    assert client.get("/persons/new/").status_code == 200
    response = client.post("/persons/new/", _form())
    assert response.status_code == 302, response.content.decode()[:3000]
    person = Person.objects.get()
    assert person.citizenship_codes == ["UA", "MD"]
    assert person.may_be_child and person.approximate_age == 16
    assert person.identity_documents[0]["number"] == "FX 012345"
    page = client.get(response["Location"]).content.decode()
    assert "Ukraine" in page and "Moldova" in page
    assert "FX 012345" in page
    assert "may be a child" in page


@pytest.mark.parametrize(
    ("fields", "field_id"),
    [
        (
            {
                "date_of_birth_0": "1",
                "date_of_birth_1": "1",
                "date_of_birth_2": "2999",
                "approximate_age": "",
                "may_be_child": "",
            },
            "id_date_of_birth_0",
        ),
        ({"approximate_age": "150"}, "id_approximate_age"),
        ({"document_type_0": "", "document_number_0": "123"}, "id_document_type_0"),
    ],
)
def test_a_refusal_is_a_form_error_on_its_field_and_nothing_is_recorded(officer, fields, field_id):
    response = verified_client(officer.user).post("/persons/new/", _form(**fields))
    assert response.status_code == 200
    assert f'href="#{field_id}"' in response.content.decode()
    assert not Person.objects.exists()


def test_edit_a_record(officer):
    person = create_person(actor=officer)
    client = verified_client(officer.user)
    page = client.get(f"/persons/{person.pk}/edit/")
    assert page.status_code == 200
    assert 'value="Popescu"' in page.content.decode()
    response = client.post(
        f"/persons/{person.pk}/edit/",
        _form(
            given_name="Ana",
            family_name="Popescu-Rusu",
            approximate_age="",
            may_be_child="",
            date_of_birth_0="17",
            date_of_birth_1="5",
            date_of_birth_2="2001",
            citizenship="RO",
            other_citizenships=[],
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    person.refresh_from_db()
    assert person.family_name == "Popescu-Rusu"
    assert str(person.date_of_birth) == "2001-05-17"
    # The record's date of birth comes back in its three boxes, under "Add more details".
    again = client.get(f"/persons/{person.pk}/edit/").content.decode()
    for box, value in (("0", "17"), ("1", "5"), ("2", "2001")):
        assert (
            f'value="{value}"'
            in again.split(f'id="id_date_of_birth_{box}"')[0].rsplit("<input", 1)[1]
        )
    assert '<details class="more-details" open>' in again
    assert AuditEvent.objects.filter(action="person.changed", person_id=person.pk).count() == 1


def test_edit_outside_scope_is_404_and_without_permission_403(officer):
    person = create_person(actor=officer)
    stranger = verified_client(MembershipFactory(role_code="ngo_caseworker").user)
    assert stranger.get(f"/persons/{person.pk}/edit/").status_code == 404
    assert stranger.post(f"/persons/{person.pk}/edit/", _form()).status_code == 404
    coordinator = verified_client(MembershipFactory(role_code="national_coordinator").user)
    assert coordinator.get(f"/persons/{person.pk}/edit/").status_code == 403
    assert coordinator.get("/persons/new/").status_code == 403


def test_the_record_lists_the_languages_the_person_speaks_not_the_interfaces(officer):
    # The page header's language switcher once shared the context name "languages" with the
    # record and overwrote it: every record showed the interface languages as Python dicts.
    client = verified_client(officer.user)
    response = client.post("/persons/new/", _form(language="ukr", other_languages=["rus"]))
    page = client.get(response["Location"]).content.decode()
    spoken = page.split("Languages spoken", 1)[1].split("</dd>", 1)[0]
    assert "Ukrainian" in spoken and "Russian" in spoken
    assert "{" not in spoken and "Română" not in spoken


# --- The list of persons --------------------------------------------------------------------


def test_the_list_tells_rows_apart_by_initials_age_county_and_date(officer):
    from punte.identification.persons.tests.factories import create_person

    create_person(
        actor=officer,
        given_name="Natalia",
        family_name="Bondarenko",
        sex="female",
        approximate_age=16,
        date_of_birth=None,
    )
    create_person(
        actor=officer,
        given_name="Olena",
        family_name="Kovalenko",
        sex="female",
        date_of_birth=None,
        approximate_age=None,
        birth_year=None,
        may_be_child=True,
    )
    page = verified_client(officer.user).get("/persons/", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert "<bdi>N. B.</bdi>" in html and "<bdi>O. K.</bdi>" in html
    assert "about 16 years" in html and "may be a child" in html
    assert officer.organisation.county.name in html
    assert "Natalia" not in html and "Bondarenko" not in html  # initials only
    assert not AuditEvent.objects.filter(action="person.viewed").exists()


def test_a_national_scope_sees_initials_only_where_its_organisation_has_a_grant():
    from punte.identification.persons.tests.factories import create_person

    coordinator = MembershipFactory(role_code="national_coordinator")
    recorder = MembershipFactory(role_code="ngo_caseworker")
    create_person(actor=recorder, given_name="Natalia", family_name="Bondarenko")
    html = verified_client(coordinator.user).get("/persons/").content.decode()
    assert "/persons/" in html and "N. B." not in html


def test_age_words_are_plural_aware_in_each_language():
    import datetime

    from django.utils import translation

    from punte.identification.persons.models import Person
    from punte.identification.persons.selectors import person_age_words

    on = datetime.date(2026, 12, 7)
    cases = {
        "ro": {1: "1 an", 3: "3 ani", 21: "21 de ani"},
        "uk": {1: "1 рік", 3: "3 роки", 16: "16 років", 21: "21 рік"},
        "en": {1: "1 year", 3: "3 years"},
    }
    for language, expected in cases.items():
        with translation.override(language):
            for years, words in expected.items():
                born = datetime.date(on.year - years, 1, 1)
                assert person_age_words(Person(date_of_birth=born), on=on) == words
