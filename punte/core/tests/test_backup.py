"""Backups that restore (ADR 0037): the restore drill, end to end on PostgreSQL (dump, a fresh
database, restore, verify_audit --anchors, decryption with this environment's keys), and the
refusals, each with its message and exit status 2."""

from __future__ import annotations

import base64
import json
import subprocess
import uuid
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from punte.accounts.tests.factories import MembershipFactory
from punte.core import backup, rls
from punte.core.management.commands.restore import _pointed_at
from punte.identification.persons.models import Person
from punte.identification.persons.tests.factories import create_person
from punte.testing.rls import subject_to_row_level_security


def _psql(sql: str) -> None:
    params = connection.settings_dict
    subprocess.run(  # noqa: S603
        ["psql", "--no-psqlrc", "--quiet", "--dbname=postgres", "--command", sql],  # noqa: S607
        env=backup._libpq_env({**params, "NAME": "postgres"}),
        check=True,
        capture_output=True,
    )


@pytest.fixture
def fresh_database():
    """An empty database beside the test database, dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    _psql(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        _psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _url(name: str) -> str:
    params = connection.settings_dict
    user = params.get("USER") or "postgres"
    host = params.get("HOST") or "127.0.0.1"
    port = params.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{name}"


def _refused(command: str, *args, **options) -> str:
    with pytest.raises(CommandError) as refused:
        call_command(command, *args, stdout=StringIO(), **options)
    assert refused.value.returncode == 2, str(refused.value)
    return str(refused.value)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_restore_drill(tmp_path, fresh_database, settings):
    owner = MembershipFactory(role_code="regional_officer")
    person = create_person(actor=owner, family_name="Restaurată", given_name="Ana")
    out = StringIO()
    call_command("backup", output=str(tmp_path), stdout=out)
    manifest = next(tmp_path.glob("*.manifest.json"))
    document = json.loads(manifest.read_text())
    assert document["heads"], "the creation was audited: some chain has a head"
    assert document["keys"]["in_use"] == {"test1": document["keys"]["in_use"]["test1"]}
    text = manifest.read_text()
    for key in [*settings.PUNTE_ENCRYPTION_KEYS.values(), settings.PUNTE_BLIND_INDEX_KEY]:
        for form in (key.hex(), base64.urlsafe_b64encode(key).decode().rstrip("=")):
            assert form not in text, "a key in the manifest"

    # The trail moves on after the backup: the restored one must equal the manifest, not this.
    create_person(actor=owner, family_name="După")

    out = StringIO()
    call_command("restore", str(manifest), database_url=_url(fresh_database), stdout=out)
    assert "Verified" in out.getvalue()

    with _pointed_at({"NAME": fresh_database}):
        verified = StringIO()
        call_command("verify_audit", anchors=[str(manifest)], stdout=verified)
        assert "Audit trail OK" in verified.getvalue()
        assert "sealed heads matched" in verified.getvalue()
        with rls.system("test: reading the restored person"):
            restored = Person.objects.get(pk=person.pk)
            assert restored.family_name == "Restaurată"
            # The person recorded after the backup is not in it.
            assert Person.objects.count() == 1


@pytest.mark.django_db
def test_backup_refuses_a_database_that_is_not_postgresql(tmp_path):
    if connection.vendor == "postgresql":
        pytest.skip("the refusal is of other databases")
    message = _refused("backup", output=str(tmp_path))
    assert "PostgreSQL" in message


@pytest.mark.postgres
@pytest.mark.django_db
def test_backup_refuses_an_unwritable_directory(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    message = _refused("backup", output=str(blocker / "backups"))
    assert "Cannot write" in message
    assert not list(tmp_path.glob("**/*.dump"))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_dump_that_does_not_match_its_manifest(tmp_path, fresh_database):
    create_person(actor=MembershipFactory(role_code="regional_officer"))
    call_command("backup", output=str(tmp_path), stdout=StringIO())
    manifest = next(tmp_path.glob("*.manifest.json"))
    dump = next(tmp_path.glob("*.dump"))
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))
    message = _refused("restore", str(manifest), database_url=_url(fresh_database))
    assert "does not match its manifest" in message


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_restore_refuses_other_keys_and_a_database_that_is_not_empty(
    tmp_path, fresh_database, settings
):
    create_person(actor=MembershipFactory(role_code="regional_officer"))
    call_command("backup", output=str(tmp_path), stdout=StringIO())
    manifest = next(tmp_path.glob("*.manifest.json"))

    # Not empty: the test database itself.
    message = _refused(
        "restore", str(manifest), database_url=_url(connection.settings_dict["NAME"])
    )
    assert "not empty" in message

    original = settings.PUNTE_ENCRYPTION_KEYS
    settings.PUNTE_ENCRYPTION_KEYS = {"other": b"\x01" * 32}
    settings.PUNTE_ENCRYPTION_PRIMARY_KEY_ID = "other"
    message = _refused("restore", str(manifest), database_url=_url(fresh_database))
    assert "test1" in message
    settings.PUNTE_ENCRYPTION_KEYS = {"test1": b"\x02" * 32}
    settings.PUNTE_ENCRYPTION_PRIMARY_KEY_ID = "test1"
    message = _refused("restore", str(manifest), database_url=_url(fresh_database))
    assert "other keys" in message
    settings.PUNTE_ENCRYPTION_KEYS = original


@pytest.mark.django_db
def test_restore_refuses_a_manifest_it_cannot_read(tmp_path):
    not_json = tmp_path / "x.manifest.json"
    not_json.write_text("{")
    assert "not JSON" in _refused(
        "restore", str(not_json), database_url="postgres://postgres@127.0.0.1/x"
    )
    forged = tmp_path / "y.manifest.json"
    forged.write_text(
        json.dumps({"format": backup.FORMAT, "heads": [{"shard": 0, "seq": 1, "hash": "a"}]})
    )
    assert "digest" in _refused(
        "restore", str(forged), database_url="postgres://postgres@127.0.0.1/x"
    )
    assert "Cannot read" in _refused(
        "restore", str(Path(tmp_path) / "missing.json"), database_url="postgres://h/x"
    )
    assert "PostgreSQL" in _refused("restore", str(forged), database_url="sqlite:///x.db")


@pytest.mark.postgres
@pytest.mark.django_db
def test_backup_refuses_a_role_that_row_level_security_restricts(tmp_path):
    """Its dump would miss every row the policies hide."""
    with subject_to_row_level_security():
        message = _refused("backup", output=str(tmp_path))
    assert "BYPASSRLS" in message
    assert not list(tmp_path.glob("*.dump"))
