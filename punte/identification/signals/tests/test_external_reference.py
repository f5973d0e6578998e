"""A partner's external reference is free text, so it is encrypted at rest like the rest of a
signal's free text; the migration encrypts the references stored before, and back."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from punte.identification.signals.models import Signal
from punte.identification.signals.tests.factories import create_signal
from punte.testing.api import ApiClient

REFERENCE = "CASE 2026/17 Ana Popescu"  # what a partner may well send


def _stored(signal_id) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT external_reference FROM identification_signal WHERE id = %s",
            [signal_id.hex] if connection.vendor == "sqlite" else [signal_id],
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_external_reference_is_encrypted_at_rest_and_read_back():
    signal = create_signal(external_reference=REFERENCE)
    stored = _stored(signal.pk)
    assert stored and REFERENCE not in stored and "Popescu" not in stored
    assert Signal.objects.get(pk=signal.pk).external_reference == REFERENCE


@pytest.mark.django_db
def test_api_answers_the_reference_and_an_empty_one_as_before():
    signal = create_signal(external_reference=REFERENCE)
    api = ApiClient(signal.recorded_by_membership)
    assert api.get(f"/signals/{signal.pk}").json()["external_reference"] == REFERENCE
    empty = create_signal(actor=signal.recorded_by_membership)
    assert _stored(empty.pk) is None
    assert api.get(f"/signals/{empty.pk}").json()["external_reference"] == ""


@pytest.mark.django_db(transaction=True)
def test_migration_encrypts_the_references_stored_in_plaintext():
    signal = create_signal(external_reference=REFERENCE)
    executor = MigrationExecutor(connection)
    before = [("identification", "0007_public_report_form_use")]
    after = [("identification", "0008_signal_external_reference_encrypted")]
    executor.migrate(before)
    try:
        assert _stored(signal.pk) == REFERENCE  # decrypted back into the plaintext column
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(after)
    finally:
        # Going back unapplied what depends on it (assistance cases and the apps above them):
        # the database is left as every other test expects it, fully migrated.
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    stored = _stored(signal.pk)
    assert stored != REFERENCE and "Popescu" not in stored
    assert Signal.objects.get(pk=signal.pk).external_reference == REFERENCE
