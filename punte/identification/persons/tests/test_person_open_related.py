"""Opening a record brings its citizenships and languages in the same statement as the record
(selectors._visible_person): the same objects, in the same order, as prefetch_related() gives,
and no further query to show them - in the API's answer too."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from punte.accounts.tests.factories import MembershipFactory
from punte.identification.persons.api import PersonOut
from punte.identification.persons.models import Person
from punte.identification.persons.selectors import person_get_for_view
from punte.identification.persons.tests.factories import PersonFactory


@pytest.fixture
def officer():
    return MembershipFactory(role_code="regional_officer")


@pytest.mark.django_db
def test_citizenships_and_languages_come_with_the_record(officer):
    created = PersonFactory(
        actor=officer,
        citizenship="MD",
        citizenships=["MD", "UA", "RO"],
        languages=["ukr", "ron", "rus"],
    )
    expected = Person.objects.prefetch_related("citizenship_links", "languages").get(pk=created.pk)

    person = person_get_for_view(actor=officer, person_id=created.pk)
    with CaptureQueriesContext(connection) as queries:
        links = list(person.citizenship_links.all())
        languages = list(person.languages.all())
        answer = PersonOut.from_orm(person).model_dump()
    assert len(queries) == 0, [q["sql"] for q in queries]

    assert [(c.pk, c.country_id, c.position) for c in links] == [
        (c.pk, c.country_id, c.position) for c in expected.citizenship_links.all()
    ]
    assert all(link.person is person for link in links)
    assert [(lang.code, lang.name) for lang in languages] == [
        (lang.code, lang.name) for lang in expected.languages.all()
    ]
    assert answer["citizenships"] == ["MD", "UA", "RO"]
    assert answer["languages"] == ["ron", "rus", "ukr"]


@pytest.mark.django_db
def test_a_record_without_citizenships_or_languages(officer):
    created = PersonFactory(actor=officer, citizenship=None, languages=None)

    person = person_get_for_view(actor=officer, person_id=created.pk)
    with CaptureQueriesContext(connection) as queries:
        assert list(person.citizenship_links.all()) == []
        assert list(person.languages.all()) == []
        assert person.citizenship_codes == []
    assert len(queries) == 0


@pytest.mark.django_db
def test_changing_the_languages_afterwards_is_seen(officer):
    """The loaded languages are a prefetch cache: changing the relation clears it, as Django
    does, so the instance never shows stale values."""
    created = PersonFactory(actor=officer, languages=["ron"])
    person = person_get_for_view(actor=officer, person_id=created.pk)
    assert [lang.code for lang in person.languages.all()] == ["ron"]

    person.languages.add("eng")

    assert sorted(lang.code for lang in person.languages.all()) == ["eng", "ron"]
