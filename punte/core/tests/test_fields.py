"""Encrypted model fields, checked against what is really stored in the database."""

import datetime

import pytest
from django.core.exceptions import FieldError, ValidationError
from django.db import connection

from punte.core import crypto
from punte.core.fields import EncryptedDateField, EncryptedTextField, encrypted_fields
from punte.identification.persons.models import Person
from punte.identification.persons.services import IdentityDocumentInput
from punte.identification.persons.tests.factories import create_person

pytestmark = pytest.mark.django_db

ENCRYPTED = [
    "given_name",
    "family_name",
    "aliases",
    "date_of_birth",
    "contact",
    "notes",
    "identity_documents",
]


def raw_row(person: Person, columns: list[str]) -> dict[str, str | None]:
    """The stored text of `columns`, read with plain SQL: no field code runs."""
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    table = connection.ops.quote_name(Person._meta.db_table)
    pk = Person._meta.pk.get_db_prep_value(person.pk, connection)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {quoted} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return dict(zip(columns, cursor.fetchone(), strict=True))


def write_raw(person: Person, column: str, value: str) -> None:
    table = connection.ops.quote_name(Person._meta.db_table)
    pk = Person._meta.pk.get_db_prep_value(person.pk, connection)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {connection.ops.quote_name(column)} = %s WHERE id = %s",  # noqa: S608
            [value, pk],
        )


def synthetic_person(**fields) -> Person:
    data = {
        "given_name": "Zinovia",
        "family_name": "Ștefănescu-Brâncoveanu",
        "aliases": ["Zina", "Zizi Țuțuianu"],
        "date_of_birth": datetime.date(1994, 2, 28),
        "contact": "zinovia.test@example.test, +40 712 345 678",
        "notes": "Met at the bus station in Iași; speaks Romanian and Ukrainian.",
        "identity_documents": [
            IdentityDocumentInput(type="passport", number="ZS 998877", issuing_country="RO")
        ],
    }
    data.update(fields)
    return create_person(**data)


def test_every_personal_field_of_person_is_encrypted():
    assert {f.name for f in encrypted_fields(Person)} == set(ENCRYPTED)


def test_each_field_type_round_trips_through_the_database():
    person = synthetic_person()
    again = Person.objects.get(pk=person.pk)
    assert again.given_name == "Zinovia"  # text
    assert again.family_name == "Ștefănescu-Brâncoveanu"  # text with diacritics
    assert again.aliases == ["Zina", "Zizi Țuțuianu"]  # JSON
    assert again.date_of_birth == datetime.date(1994, 2, 28)  # date
    assert isinstance(again.date_of_birth, datetime.date)
    assert again.contact == "zinovia.test@example.test, +40 712 345 678"
    assert Person.objects.values_list("aliases", flat=True).get(pk=person.pk) == [
        "Zina",
        "Zizi Țuțuianu",
    ]


def test_null_stays_null_and_is_queryable():
    person = synthetic_person(aliases=None, notes=None)
    stored = raw_row(person, ["aliases", "notes"])
    assert stored == {"aliases": None, "notes": None}
    assert Person.objects.filter(pk=person.pk, notes__isnull=True).exists()
    assert not Person.objects.filter(pk=person.pk, given_name__isnull=True).exists()


def test_the_database_holds_no_plaintext():
    person = synthetic_person()
    stored = raw_row(person, ENCRYPTED)
    plaintexts = [
        "Zinovia", "Ștefănescu", "Stefanescu", "Zina", "Țuțuianu", "1994-02-28",
        "zinovia.test", "712 345 678", "Iași", "bus station", "998877",
    ]  # fmt: skip
    for column, value in stored.items():
        assert value.startswith(f"v1:{crypto.primary_key_id()}:"), column
        for plaintext in plaintexts:
            assert plaintext.lower() not in value.lower(), (column, plaintext)
    # The blind indexes are hashes, not the names either.
    indexes = raw_row(person, ["family_name_index", "given_name_index", "date_of_birth_index"])
    assert all(len(v) == 32 and "zinovia" not in v for v in indexes.values())


def test_a_ciphertext_copied_into_another_column_fails_to_decrypt():
    person = synthetic_person()
    family = raw_row(person, ["family_name"])["family_name"]
    write_raw(person, "given_name", family)
    with pytest.raises(crypto.DecryptionError):
        Person.objects.get(pk=person.pk)


def test_a_tampered_ciphertext_fails_to_decrypt():
    person = synthetic_person()
    stored = raw_row(person, ["notes"])["notes"]
    middle = len(stored) // 2
    tampered = stored[:middle] + ("A" if stored[middle] != "A" else "B") + stored[middle + 1 :]
    write_raw(person, "notes", tampered)
    with pytest.raises(crypto.DecryptionError):
        Person.objects.get(pk=person.pk)


def test_update_through_a_queryset_encrypts_too():
    person = synthetic_person()
    Person.objects.filter(pk=person.pk).update(notes="Moved to a shelter in Cluj.")
    assert "Cluj" not in raw_row(person, ["notes"])["notes"]
    assert Person.objects.get(pk=person.pk).notes == "Moved to a shelter in Cluj."


@pytest.mark.parametrize(
    "lookup",
    [
        {"family_name": "Ștefănescu-Brâncoveanu"},
        {"family_name__iexact": "x"},
        {"family_name__icontains": "x"},
        {"family_name__startswith": "x"},
        {"family_name__in": ["x"]},
        {"date_of_birth__gt": datetime.date(1990, 1, 1)},
        {"date_of_birth__year": 1994},
        {"aliases__contains": "Zina"},
        {"notes__lower": "x"},
    ],
    ids=lambda lookup: next(iter(lookup)),
)
def test_lookups_other_than_isnull_are_refused(lookup):
    synthetic_person()
    with pytest.raises(FieldError, match="encrypted"):
        list(Person.objects.filter(**lookup))


def test_date_field_refuses_what_it_could_not_read_back():
    field = Person._meta.get_field("date_of_birth")
    assert field.to_python("2001-05-17") == datetime.date(2001, 5, 17)
    assert field.to_python(datetime.datetime(2001, 5, 17, 13, 0)) == datetime.date(2001, 5, 17)
    with pytest.raises(ValidationError):
        field.to_python("17.05.2001")
    with pytest.raises(ValidationError):
        field.get_prep_value(20010517)


def test_a_pinned_binding_keeps_values_readable_after_a_rename():
    # A field renamed from family_name keeps its old identity, so old values still decrypt.
    renamed = EncryptedTextField(binding="identification.person.family_name")
    renamed.set_attributes_from_name("surname")
    stored = Person._meta.get_field("family_name").get_prep_value("Moraru")
    assert renamed.from_db_value(stored, None, connection) == "Moraru"
    assert renamed.deconstruct()[3]["binding"] == "identification.person.family_name"
    assert "binding" not in Person._meta.get_field("family_name").deconstruct()[3]


def test_date_field_offers_a_date_form_field():
    from django import forms

    assert isinstance(EncryptedDateField().formfield(), forms.DateField)
