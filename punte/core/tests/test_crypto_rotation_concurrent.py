"""Key rotation while the application writes, on PostgreSQL: no change is lost.

A user's edit holds the row; rotate_keys must wait for it and then keep the edit, rather than
write back a re-encrypted copy of the value it read before the edit (a lost update).
"""

import threading
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from punte.core.tests.test_crypto_rotation import keys
from punte.core.tests.test_fields import ENCRYPTED, raw_row
from punte.identification.persons.models import Person
from punte.identification.persons.tests.factories import create_person

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def _backends_waiting_for_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def _until(condition, what: str) -> None:
    deadline = time.monotonic() + 30
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting: {what}")
        time.sleep(0.02)


def test_an_edit_made_during_rotation_is_kept():
    with keys("kA", primary="kA"):
        person = create_person(given_name="Olimpia", family_name="Roată", notes="before")

    errors: list[Exception] = []
    holding, release = threading.Event(), threading.Event()

    def user_edits():
        try:
            with transaction.atomic():
                row = Person.objects.select_for_update().get(pk=person.pk)
                row.notes = "after"
                row.save(update_fields=["notes"])
                holding.set()
                release.wait(30)
        except Exception as exc:  # reported in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    def rotation():
        try:
            call_command("rotate_keys", stdout=StringIO())
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    with keys("kA", "kB", primary="kB"):
        editor = threading.Thread(target=user_edits)
        editor.start()
        assert holding.wait(30)
        rotator = threading.Thread(target=rotation)
        rotator.start()
        _until(lambda: _backends_waiting_for_a_lock() >= 1, "rotation blocked by the edit")
        release.set()
        editor.join(60)
        rotator.join(60)
        assert not errors, errors
        again = Person.objects.get(pk=person.pk)
        assert again.notes == "after"
        assert again.given_name == "Olimpia"

    assert all(v is None or v.startswith("v1:kB:") for v in raw_row(person, ENCRYPTED).values())
