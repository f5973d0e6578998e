"""`manage.py rotate_keys`: moving every value to a new key while the data stays usable."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from punte.core.models import AuditEvent
from punte.core.tests.test_fields import ENCRYPTED, raw_row, write_raw
from punte.identification.persons.models import Person
from punte.identification.persons.tests.factories import create_person
from punte.settings.keys import decode_key, new_key

pytestmark = pytest.mark.django_db

KEY_A = decode_key("A", new_key())
KEY_B = decode_key("B", new_key())


def keys(*ids, primary):
    ring = {"kA": KEY_A, "kB": KEY_B}
    return override_settings(
        PUNTE_ENCRYPTION_KEYS={i: ring[i] for i in ids}, PUNTE_ENCRYPTION_PRIMARY_KEY_ID=primary
    )


def people_on_key_a(count=3):
    with keys("kA", primary="kA"):
        return [
            create_person(
                given_name=f"Veronica{n}",
                family_name="Țăranu",
                aliases=[f"Vera{n}"],
                date_of_birth=datetime.date(1990, 1, n + 1),
                contact=f"+40 721 000 00{n}",
                notes=f"Synthetic note {n}",
            )
            for n in range(count)
        ] + [create_person(given_name="Only", family_name="Names", date_of_birth=None)]


def snapshot(person):
    fresh = Person.objects.get(pk=person.pk)
    return {name: getattr(fresh, name) for name in ENCRYPTED}


def change_stamps(pks):
    rows = Person.objects.filter(pk__in=pks).values_list("pk", "modified_at", "modified_by_id")
    return {pk: (at, by) for pk, at, by in rows}


def rotate(*args):
    out = StringIO()
    call_command("rotate_keys", *args, stdout=out)
    return out.getvalue()


def test_rotation_round_trip_moves_every_value_to_the_new_key():
    people = people_on_key_a()
    with keys("kA", primary="kA"):
        before = {p.pk: snapshot(p) for p in people}
        stamps = change_stamps(before)

    with keys("kA", "kB", primary="kB"):
        output = rotate("--batch-size", "2")  # several batches
        # Readers keep working during and after the rotation, with both keys listed.
        assert {p.pk: snapshot(p) for p in people} == before

    for person in people:
        for column, value in raw_row(person, ENCRYPTED).items():
            assert value is None or value.startswith("v1:kB:"), column
    # Not a user's change: the record's change stamps are untouched.
    assert change_stamps(before) == stamps

    # The old key can now go: everything reads back with the new key alone.
    with keys("kB", primary="kB"):
        assert {p.pk: snapshot(p) for p in people} == before

    values = 3 * 6 + 2  # three full records, and one with two names only
    assert f"Re-encrypted {values} value(s) in 4 row(s)" in output
    event = AuditEvent.objects.get(action="encryption.keys_rotated")
    assert event.changes["values_reencrypted"] == values
    assert event.changes["by_field"]["identification.Person.family_name"] == 4
    assert "Țăranu" not in str(event.changes) and "Veronica" not in str(event.changes)


def test_rotation_leaves_the_blind_indexes_working():
    people_on_key_a(1)
    with keys("kA", "kB", primary="kB"):
        rotate()
    with keys("kB", primary="kB"):
        from punte.core.crypto import blind_index

        index = blind_index("TARANU", purpose="person.family_name")
        assert Person.objects.filter(family_name_index=index).count() == 1


def test_a_second_run_finds_nothing_to_do():
    people_on_key_a(1)
    with keys("kA", "kB", primary="kB"):
        rotate()
        output = rotate()
    assert "Re-encrypted 0 value(s) in 0 row(s)" in output
    assert AuditEvent.objects.filter(action="encryption.keys_rotated").count() == 2


def test_dry_run_counts_per_field_and_key_and_changes_nothing():
    people = people_on_key_a(2)
    with keys("kA", "kB", primary="kB"):
        create_person(given_name="Nou", family_name="Primar")  # already on the new key
        raw_before = {p.pk: raw_row(p, ENCRYPTED) for p in people}
        events_before = AuditEvent.objects.count()
        output = rotate("--dry-run")
    assert {p.pk: raw_row(p, ENCRYPTED) for p in people} == raw_before
    assert AuditEvent.objects.count() == events_before
    assert "identification.Person.family_name: kA=3, kB=1 (primary)" in output
    assert "identification.Person.notes: kA=2" in output
    assert "would be re-encrypted. Nothing was changed." in output


def test_dry_run_after_rotation_says_the_old_key_may_be_removed():
    people_on_key_a(1)
    with keys("kA", "kB", primary="kB"):
        rotate()
        output = rotate("--dry-run")
    assert "every value is on the primary key 'kB'" in output
    assert "kA=" not in output


def test_dry_run_flags_values_whose_key_is_no_longer_configured():
    people_on_key_a(1)
    with keys("kB", primary="kB"):
        output = rotate("--dry-run")
    assert "kA=2 (key NOT configured: unreadable)" in output


def test_values_that_cannot_be_decrypted_are_reported_and_left_alone():
    damaged, healthy = people_on_key_a(1)
    broken = raw_row(damaged, ["notes"])["notes"][:-4] + "AAAA"
    write_raw(damaged, "notes", broken)
    with keys("kA", "kB", primary="kB"), pytest.raises(CommandError) as error:
        rotate()
    assert error.value.returncode == 1
    assert f"identification.Person.notes {damaged.pk}" in str(error.value)
    assert raw_row(damaged, ["notes"])["notes"] == broken
    # Everything else moved, including the damaged record's other fields.
    assert raw_row(damaged, ["given_name"])["given_name"].startswith("v1:kB:")
    assert raw_row(healthy, ["family_name"])["family_name"].startswith("v1:kB:")
    assert AuditEvent.objects.get(action="encryption.keys_rotated").changes["failed"] == 1


@pytest.mark.parametrize(
    ("settings_override", "args", "message"),
    [
        ({"PUNTE_ENCRYPTION_PRIMARY_KEY_ID": ""}, [], "is not set"),
        ({"PUNTE_ENCRYPTION_PRIMARY_KEY_ID": "k9"}, [], "no key with that id"),
        ({}, ["--batch-size", "0"], "at least 1"),
    ],
)
def test_misconfiguration_exits_with_status_2_and_says_why(settings_override, args, message):
    with override_settings(**settings_override), pytest.raises(CommandError) as error:
        rotate(*args)
    assert error.value.returncode == 2
    assert message in str(error.value)


def test_help_documents_the_rotation_procedure():
    from punte.core.management.commands.rotate_keys import Command

    help_text = StringIO()
    Command().create_parser("manage.py", "rotate_keys").print_help(help_text)
    text = help_text.getvalue()
    for step in ["PUNTE_ENCRYPTION_KEYS", "PUNTE_ENCRYPTION_PRIMARY_KEY_ID", "--dry-run",
                 "Remove the old key"]:  # fmt: skip
        assert step in text


@pytest.mark.postgres
def test_rotation_locks_rows_it_rewrites():
    # The batches lock with FOR UPDATE on PostgreSQL, so a concurrent save waits instead of
    # being overwritten; the SQL is checked rather than a race timed.
    from django.test.utils import CaptureQueriesContext

    people_on_key_a(1)
    with keys("kA", "kB", primary="kB"), CaptureQueriesContext(connection) as queries:
        rotate()
    assert any("FOR UPDATE" in q["sql"] for q in queries.captured_queries)
