import datetime

import pytest

from punte.identification.persons.models import Person

TODAY = datetime.date(2026, 11, 28)


@pytest.mark.parametrize(
    ("date_of_birth", "birth_year", "child"),
    [
        (datetime.date(2008, 11, 29), None, True),  # 18 tomorrow
        (datetime.date(2008, 11, 28), None, False),  # 18 today
        (datetime.date(1990, 1, 1), None, False),
        (None, 2008, True),  # may not have turned 18 yet this year
        (None, 2007, False),
        (None, None, True),  # age unknown: presumed a child
    ],
)
def test_presumption_of_minority(date_of_birth, birth_year, child):
    person = Person(date_of_birth=date_of_birth, birth_year=birth_year)
    assert person.is_treated_as_child(TODAY) is child


@pytest.mark.parametrize(("citizenship", "foreign"), [("RO", False), ("UA", True), (None, False)])
def test_foreign_national(citizenship, foreign):
    assert Person(citizenship_id=citizenship).is_foreign_national is foreign


@pytest.mark.parametrize(
    ("approximate_age", "estimated_on", "may_be_child", "child"),
    [
        (17, TODAY, False, True),
        (18, TODAY, False, False),
        (17, datetime.date(2025, 11, 28), False, False),  # a year has passed since the estimate
        (17, datetime.date(2025, 11, 29), False, True),  # not quite a year
        (25, TODAY, True, True),  # looks 25, but may be a child: treated as a child
        (None, None, True, True),
    ],
)
def test_presumption_of_minority_with_an_estimated_age(
    approximate_age, estimated_on, may_be_child, child
):
    person = Person(
        approximate_age=approximate_age, age_estimated_on=estimated_on, may_be_child=may_be_child
    )
    assert person.is_treated_as_child(TODAY) is child


def test_a_known_date_of_birth_wins_over_an_estimate():
    person = Person(date_of_birth=datetime.date(1990, 1, 1), approximate_age=15)
    assert person.is_treated_as_child(TODAY) is False


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("codes", "foreign"),
    [
        (["UA"], True),
        (["MD", "RO"], False),
        (["RO", "MD"], False),
        (["UA", "MD"], True),
        ([], False),
    ],
)
def test_foreign_national_with_several_citizenships(codes, foreign):
    from punte.identification.persons.tests.factories import create_person

    person = create_person(citizenship=None, citizenships=codes)
    fresh = Person.objects.get(pk=person.pk)
    assert fresh.citizenship_codes == codes
    assert fresh.is_foreign_national is foreign
    prefetched = Person.objects.prefetch_related("citizenship_links").get(pk=person.pk)
    assert prefetched.is_foreign_national is foreign
