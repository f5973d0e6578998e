"""Country and language names in the interface's language, in its alphabetical order."""

import pytest
from django.utils import translation

from punte.core.models import Country, Language
from punte.core.names import country_choices, language_choices, language_name, sort_key

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "ro",
            {"UA": "Ucraina", "DE": "Germania", "GB": "Regatul Unit", "MD": "Republica Moldova"},
        ),
        ("uk", {"UA": "Україна", "DE": "Німеччина", "GB": "Велика Британія", "RO": "Румунія"}),
        ("en", {"UA": "Ukraine", "DE": "Germany", "GB": "United Kingdom", "RO": "Romania"}),
    ],
)
def test_every_country_is_named_in_the_interface_language(language, expected):
    with translation.override(language):
        choices = dict(country_choices())
        assert len(choices) == Country.objects.count() >= 249
        for code, name in expected.items():
            assert choices[code] == name
            assert str(Country.objects.get(alpha2=code)) == name
    if language == "uk":
        # Every one in Cyrillic: none left in English.
        assert all(any("\u0400" <= ch <= "\u04ff" for ch in name) for name in choices.values())


def test_romanian_countries_sort_with_the_romanian_alphabet():
    with translation.override("ro"):
        names = [name for _code, name in country_choices()]
    # ț is a letter after t: "Țările de Jos" comes after every name in T, before U.
    assert names.index("Turcia") < names.index("Țările de Jos") < names.index("Ucraina")
    assert names.index("Africa de Sud") < names.index("Austria")
    assert names == sorted(names, key=lambda n: sort_key(n, language="ro"))


def test_ukrainian_countries_sort_with_the_ukrainian_alphabet():
    with translation.override("uk"):
        names = [name for _code, name in country_choices()]
    # і comes after и and before к (by code point it would follow я, at the very end).
    assert names.index("Австрія") < names.index("Ізраїль") < names.index("Італія")
    assert names.index("Італія") < names.index("Казахстан") < names.index("Японія")
    assert names[-1] != "Італія"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ro", {"ukr": "Ucraineană", "ron": "Română", "rus": "Rusă", "rom": "Romani"}),
        ("uk", {"ukr": "Українська", "ron": "Румунська", "rus": "Російська", "rom": "Циганська"}),
        ("en", {"ukr": "Ukrainian", "ron": "Romanian", "rus": "Russian", "rom": "Romany"}),
    ],
)
def test_languages_are_named_in_the_interface_language(language, expected):
    with translation.override(language):
        choices = dict(language_choices(Language.objects.all()))
        for code, name in expected.items():
            assert choices[code] == name
            assert str(Language.objects.get(code=code)) == name
        # No option is a bare code (Ewe, Ido, Twi and Lao are names that look like one).
        english = dict(Language.objects.values_list("code", "name"))
        assert not [n for c, n in choices.items() if n.lower() == c and english[c].lower() != c]


def test_a_language_cldr_does_not_name_falls_back_to_iso_codes_then_english_never_a_code():
    # Vlax Romani (rmy) has no CLDR name: the iso-codes translation pycountry ships, else English.
    assert language_name("rmy", "", "Vlax Romani", language="uk") == "Волоська ромська"
    assert language_name("rmy", "", "Vlax Romani", language="en") == "Vlax Romani"
    assert language_name("zzz", "", "Made-up", language="ro") == "Made-up"


def test_language_options_are_sorted_in_the_interface_language():
    with translation.override("uk"):
        names = [n for _c, n in language_choices(Language.objects.all())]
    assert names == sorted(names, key=lambda n: sort_key(n, language="uk"))
    assert names.index("Англійська") < names.index("Італійська") < names.index("Японська")


def test_the_person_form_offers_countries_and_languages_in_the_interface_language(client):
    from punte.identification.persons.forms import PersonForm

    with translation.override("ro"):
        form = PersonForm()
        countries = dict(form.fields["citizenship"].choices)
        languages = dict(form.fields["language"].choices)
    assert countries["UA"] == "Ucraina" and languages["ukr"] == "Ucraineană"
