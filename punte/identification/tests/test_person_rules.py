import datetime

import pytest

from punte.identification.models import Person

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
