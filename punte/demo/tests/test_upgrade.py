"""Upgrading a database made by the previous release loses nothing and keeps the trail verifying.

The previous release's code is taken from git (`git archive`), run in a subprocess to migrate a
fresh database and load the demo data into it, then this checkout migrates the same database.
Every person (with its decrypted identity), every referral and every audit chain must be there
afterwards, and `verify_audit` must pass. It runs on the database the suite runs on: SQLite, or
a database of its own on the PostgreSQL server of DATABASE_URL.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest

# The main branch before the app contract (issue "One app contract before seven more apps").
# Move it forward when a release changes the schema again.
PREVIOUS_MAIN = "658ce238f4eb9ca8fafb55ed48f726f9633d8e5a"
REPOSITORY = Path(__file__).resolve().parents[3]
# Permissions of the apps added since PREVIOUS_MAIN (their prefixes).
ADDED_SINCE = ("case.", "case_document.", "hearing.", "hearing_room.", "proceeding.")

# An administrator's change made before the upgrade, which the upgrade must keep.
TAKE_AWAY = r"""
from django.apps import apps
apps.get_model("accounts", "RolePermission").objects.filter(
    role_id="clinician", permission="referral.send"
).delete()
"""

# Run by `manage.py shell` in either version: only app labels and model names, which both keep.
SNAPSHOT = r"""
import hashlib, json
from django.apps import apps
from django.db import connection

Person = apps.get_model("identification", "Person")
Referral = apps.get_model("referrals", "Referral")
AuditEvent = apps.get_model("core", "AuditEvent")
identities = hashlib.sha256()
persons = []
for person in Person.objects.order_by("pk"):
    persons.append(str(person.pk))
    identities.update(repr((
        str(person.pk), person.given_name, person.family_name, str(person.date_of_birth),
        person.identity_documents, person.aliases, person.contact, person.notes,
        person.family_name_index,
    )).encode())
entries = [
    [shard, seq, digest]
    for shard, seq, digest in AuditEvent.objects.order_by("shard", "seq").values_list(
        "shard", "seq", "hash"
    )
]
print(json.dumps({
    "persons": persons,
    "identities": identities.hexdigest(),
    "referrals": sorted(
        [str(pk), status, str(person)]
        for pk, status, person in Referral.objects.values_list("pk", "status", "person_id")
    ),
    "grants": sorted(
        [str(p), str(o), r]
        for p, o, r in apps.get_model("identification", "PersonAccess").objects.values_list(
            "person_id", "organisation_id", "reason"
        )
    ),
    "audit_entries": entries,
    "role_grants": sorted(
        apps.get_model("accounts", "RolePermission").objects.values_list("role_id", "permission")
    ),
}))
"""


def _git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["git", *args], cwd=REPOSITORY, capture_output=True, check=False, timeout=120
    )


@pytest.fixture
def previous_release(tmp_path) -> Path:
    if _git("cat-file", "-e", f"{PREVIOUS_MAIN}^{{commit}}").returncode != 0:
        message = f"the previous release {PREVIOUS_MAIN[:12]} is not in this clone's history"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; CI must run on a full clone.")
        pytest.skip(message)
    archive = tmp_path / "previous.tar"
    with archive.open("wb") as out:
        result = subprocess.run(
            ["git", "archive", "--format=tar", PREVIOUS_MAIN],
            cwd=REPOSITORY,
            stdout=out,
            stderr=subprocess.PIPE,
            check=False,
            timeout=120,
        )
    assert result.returncode == 0, result.stderr.decode()
    tree = tmp_path / "previous"
    with tarfile.open(archive) as tar:
        tar.extractall(tree, filter="data")
    return tree


@pytest.fixture
def database_url(tmp_path):
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url.startswith("postgres"):
        yield f"sqlite:///{tmp_path / 'upgraded.sqlite3'}"
        return
    import psycopg

    name = f"punte_upgrade_{uuid.uuid4().hex[:12]}"
    server = url.rsplit("/", 1)[0]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _environment(tree: Path, database_url: str) -> dict[str, str]:
    from punte.settings.keys import new_key

    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PUNTE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="punte.settings.dev",
        DATABASE_URL=database_url,
        PYTHONPATH=str(tree),
        DJANGO_SECRET_KEY=new_key() + new_key(),
        PUNTE_ENCRYPTION_KEYS=f"upgrade1:{new_key()}",
        PUNTE_ENCRYPTION_PRIMARY_KEY_ID="upgrade1",
        PUNTE_BLIND_INDEX_KEY=new_key(),
    )
    return env


def _manage(tree: Path, env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=tree,
        env={**env, "PYTHONPATH": str(tree)},
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    assert result.returncode == 0, (
        f"manage.py {' '.join(args)} in {tree.name} exited {result.returncode}:\n"
        f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    )
    return result.stdout


def _snapshot(tree: Path, env: dict[str, str]) -> dict:
    return json.loads(_manage(tree, env, "shell", "-c", SNAPSHOT).strip().splitlines()[-1])


def test_a_database_of_the_previous_release_migrates_without_loss(
    previous_release, database_url, tmp_path
):
    env = _environment(previous_release, database_url)
    _manage(previous_release, env, "migrate", "--noinput", "-v", "0")
    _manage(previous_release, env, "load_demo", "--no-qr")
    _manage(previous_release, env, "shell", "-c", TAKE_AWAY)
    before = _snapshot(previous_release, env)
    assert ["clinician", "referral.send"] not in before["role_grants"]
    assert before["persons"] and before["referrals"] and before["audit_entries"]

    _manage(REPOSITORY, env, "migrate", "--noinput", "-v", "0")
    after_migrate = _snapshot(REPOSITORY, env)
    assert after_migrate["persons"] == before["persons"]
    assert after_migrate["identities"] == before["identities"]
    assert after_migrate["referrals"] == before["referrals"]
    assert after_migrate["grants"] == before["grants"]
    # Every role keeps exactly its permissions, the one the administrator took away included;
    # the defaults of apps added since reach the roles on this migrate (ADR 0029).
    kept = [g for g in after_migrate["role_grants"] if not g[1].startswith(ADDED_SINCE)]
    assert kept == before["role_grants"]
    # Every entry is still in its chain, unchanged (migrating may only append).
    remaining = {tuple(entry) for entry in after_migrate["audit_entries"]}
    assert [e for e in before["audit_entries"] if tuple(e) not in remaining] == []
    assert "Audit trail OK" in _manage(REPOSITORY, env, "verify_audit", "--progress-every", "0")

    # The new release's demo loader finds its data in place and the trail still verifies.
    _manage(REPOSITORY, env, "load_demo", "--no-qr")
    after_demo = _snapshot(REPOSITORY, env)
    assert after_demo["persons"] == before["persons"]
    assert ["clinician", "referral.send"] not in after_demo["role_grants"]
    assert "Audit trail OK" in _manage(REPOSITORY, env, "verify_audit", "--progress-every", "0")
