"""Backups that restore (ADR 0037): a PostgreSQL custom-format dump and its manifest.

The manifest is written from the same snapshot as the dump (pg_dump --snapshot), so the audit
chain heads it lists are exactly those inside the dump. It is also a seal (`heads`, `digest`:
audit.seal()'s document), so `verify_audit --anchors MANIFEST` proves a restored trail holds
every entry the backup held. It names the encryption keys the data needs by id, with a check
value for each (an HMAC of a fixed label: it identifies a key without revealing it), never a key.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.recorder import MigrationRecorder

from punte.core import audit, crypto, rls
from punte.core.fields import encrypted_fields

FORMAT = "punte-backup/1"
_CHECK_LABEL = b"punte key check v1"


class BackupError(Exception):
    """Something the operator must correct (exit status 2): the message says what."""


def key_check(key: bytes) -> str:
    return hmac.new(key, _CHECK_LABEL, hashlib.sha256).hexdigest()[:16]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (PostgreSQL's client tools are needed).")
    return found


def _libpq_env(params: dict[str, Any]) -> dict[str, str]:
    """The connection as libpq's environment: the password never appears on a command line."""
    env = {**os.environ}
    for variable, value in (
        ("PGHOST", params.get("HOST")),
        ("PGPORT", params.get("PORT")),
        ("PGUSER", params.get("USER")),
        ("PGPASSWORD", params.get("PASSWORD")),
        ("PGDATABASE", params.get("NAME")),
    ):
        if value:
            env[variable] = str(value)
        else:
            env.pop(variable, None)
    return env


def _postgresql(using: str):
    db = connections[using]
    if db.vendor != "postgresql":
        raise BackupError(
            f"Backups are made of PostgreSQL databases; this one is {db.vendor} "
            "(set DATABASE_URL to the PostgreSQL database)."
        )
    return db


def _key_ids_in_use() -> dict[str, int]:
    """How many values each encryption key id protects, over every encrypted column."""
    from django.apps import apps

    counts: dict[str, int] = {}
    for model in apps.get_models():
        for field in encrypted_fields(model):
            table = model._meta.db_table
            db = connections[DEFAULT_DB_ALIAS]
            column = db.ops.quote_name(field.column)
            with db.cursor() as cursor:
                cursor.execute(
                    f"SELECT split_part({column}, ':', 2), count(*) "  # noqa: S608 (metadata)
                    f"FROM {db.ops.quote_name(table)} WHERE {column} IS NOT NULL "
                    f"AND {column} <> '' GROUP BY 1"
                )
                for key_id, count in cursor.fetchall():
                    counts[key_id] = counts.get(key_id, 0) + count
    return dict(sorted(counts.items()))


def _keys_section(in_use: dict[str, int]) -> dict[str, Any]:
    configured = settings.PUNTE_ENCRYPTION_KEYS
    return {
        "primary": crypto.primary_key_id(),
        "in_use": in_use,
        "checks": {key_id: key_check(configured[key_id]) for key_id in sorted(configured)},
        "blind_index_check": key_check(settings.PUNTE_BLIND_INDEX_KEY),
    }


def _migrations() -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder.Migration.objects.order_by("app", "name").values_list(
        "app", "name"
    ):
        latest[app] = name
    return latest


@dataclass(frozen=True)
class Made:
    dump: Path
    manifest: Path
    document: dict[str, Any]


def backup(output: Path, *, using: str = DEFAULT_DB_ALIAS, now=None) -> Made:
    """Dump the database into `output` and write its manifest beside it."""
    db = _postgresql(using)
    pg_dump = _tool("pg_dump")
    try:
        output.mkdir(parents=True, exist_ok=True)
        probe = output / ".punte-write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise BackupError(f"Cannot write to {output}: {exc.strerror}.") from exc
    if rls.role_bypasses(using=using) is False:
        raise BackupError(
            "The database role is restricted by row-level security, so a dump would miss rows: "
            "run the backup as a role with BYPASSRLS (README, production)."
        )
    now = now or datetime.datetime.now(datetime.UTC)
    name = f"punte-{now:%Y%m%dT%H%M%SZ}"
    dump, manifest = output / f"{name}.dump", output / f"{name}.manifest.json"
    if dump.exists() or manifest.exists():
        raise BackupError(f"{dump} already exists; choose another directory or wait a second.")
    partial = output / f".{name}.dump.partial"
    with rls.system("a backup holds every row"), transaction.atomic(using=using):
        with db.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot, server_version = cursor.fetchone()
        # Read in the exported snapshot: exactly what pg_dump writes.
        seal = audit.seal()
        document = {
            "format": FORMAT,
            **seal,
            "created_at": now.isoformat(),
            "database": db.settings_dict["NAME"],
            "postgresql": server_version,
            "dump": {"file": dump.name, "format": "custom"},
            "migrations": _migrations(),
            "keys": _keys_section(_key_ids_in_use()),
        }
        result = subprocess.run(  # noqa: S603 (a fixed tool, arguments as a list)
            [pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={partial}"],
            env=_libpq_env(db.settings_dict),
            capture_output=True,
            text=True,
            check=False,
        )
    if result.returncode != 0:
        partial.unlink(missing_ok=True)
        raise RuntimeError(f"pg_dump failed: {result.stderr.strip()}")
    document["dump"]["bytes"] = partial.stat().st_size
    document["dump"]["sha256"] = _sha256(partial)
    partial.rename(dump)
    written = output / f".{name}.manifest.partial"
    written.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    written.rename(manifest)
    return Made(dump=dump, manifest=manifest, document=document)


# --- Restore --------------------------------------------------------------------------------


def read_manifest(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BackupError(f"Cannot read {path}: {exc.strerror}.") from exc
    except ValueError as exc:
        raise BackupError(f"{path} is not a backup manifest (not JSON).") from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BackupError(f"{path} is not a backup manifest of format {FORMAT}.")
    try:
        audit.anchors_from(document)
    except ValueError as exc:
        raise BackupError(f"{path}: {exc}.") from exc
    return document


def check_dump(manifest_path: Path, document: dict[str, Any]) -> Path:
    """The dump the manifest names, beside it, byte for byte as it was written."""
    dump = manifest_path.parent / Path(str(document["dump"]["file"])).name
    if not dump.is_file():
        raise BackupError(f"The dump {dump} named by the manifest is missing.")
    if dump.stat().st_size != document["dump"].get("bytes") or _sha256(dump) != document[
        "dump"
    ].get("sha256"):
        raise BackupError(
            f"The dump {dump} does not match its manifest (size or SHA-256): it was changed "
            "or truncated since the backup."
        )
    return dump


def check_keys(document: dict[str, Any]) -> None:
    """The keys of this environment decrypt the backup's data and search its blind indexes."""
    keys = document.get("keys") or {}
    configured = settings.PUNTE_ENCRYPTION_KEYS
    checks = keys.get("checks") or {}
    missing = [k for k in keys.get("in_use") or {} if k not in configured]
    if missing:
        raise BackupError(
            "The data is encrypted with key ids not configured here: "
            f"{', '.join(sorted(missing))} (PUNTE_ENCRYPTION_KEYS)."
        )
    different = [
        key_id
        for key_id in keys.get("in_use") or {}
        if key_id in checks and key_check(configured[key_id]) != checks[key_id]
    ]
    if different:
        raise BackupError(
            "PUNTE_ENCRYPTION_KEYS holds other keys under the ids "
            f"{', '.join(sorted(different))} than those the backup was made with."
        )
    if keys.get("blind_index_check") != key_check(settings.PUNTE_BLIND_INDEX_KEY):
        raise BackupError(
            "PUNTE_BLIND_INDEX_KEY is not the key the backup was made with: searches by name "
            "would find nothing."
        )


def restore(manifest_path: Path, *, target: dict[str, Any]) -> dict[str, Any]:
    """pg_restore the dump into the empty database `target` (Django connection settings)."""
    document = read_manifest(manifest_path)
    dump = check_dump(manifest_path, document)
    check_keys(document)
    pg_restore, psql = _tool("pg_restore"), _tool("psql")
    env = _libpq_env(target)
    tables = subprocess.run(  # noqa: S603
        [
            psql,
            "--no-psqlrc",
            "--tuples-only",
            "--no-align",
            "--command",
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if tables.returncode != 0:
        raise BackupError(f"Cannot connect to the target database: {tables.stderr.strip()}")
    if tables.stdout.strip() != "0":
        raise BackupError(
            f"The target database {target.get('NAME')} is not empty: restore into a new one "
            "(createdb)."
        )
    result = subprocess.run(  # noqa: S603
        [
            pg_restore,
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={target.get('NAME')}",
            str(dump),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"pg_restore failed: {result.stderr.strip()}")
    return document
