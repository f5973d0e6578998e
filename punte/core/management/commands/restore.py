"""Restore a backup into a new, empty PostgreSQL database, then prove it (ADR 0037).

Checks before touching anything: the dump matches its manifest (size, SHA-256), this
environment holds the encryption keys the data needs and the same blind-index key, the target
database is empty. After pg_restore: the migrations are those of the backup, every audit chain
verifies and holds every head sealed in the manifest, and one value under each key id decrypts.

Exit status 0 when all holds, 2 on bad input (these checks, a malformed manifest or URL), 1 when
pg_restore fails or the restored database does not verify.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import dj_database_url
from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from punte.core import audit, backup, crypto, rls
from punte.core.fields import encrypted_fields


@contextlib.contextmanager
def _pointed_at(target: dict):
    """The default connection opens the restored database until the end of the block."""
    db = connections[DEFAULT_DB_ALIAS]
    saved = dict(db.settings_dict)
    db.close()
    db.settings_dict.update(target)
    try:
        yield
    finally:
        db.close()
        db.settings_dict.clear()
        db.settings_dict.update(saved)


def _decrypts_each_key(in_use: dict[str, int]) -> list[str]:
    """Key ids under which no value of the restored database could be read back."""
    remaining = set(in_use)
    db = connections[DEFAULT_DB_ALIAS]
    for model in apps.get_models():
        for field in encrypted_fields(model):
            for key_id in sorted(remaining):
                column = db.ops.quote_name(field.column)
                with db.cursor() as cursor:
                    cursor.execute(
                        f"SELECT {db.ops.quote_name(model._meta.pk.column)} "  # noqa: S608
                        f"FROM {db.ops.quote_name(model._meta.db_table)} "
                        f"WHERE {column} LIKE %s LIMIT 1",
                        [crypto.prefix_for(key_id) + "%"],
                    )
                    row = cursor.fetchone()
                if row is None:
                    continue
                try:
                    model._base_manager.only(model._meta.pk.name, field.name).get(pk=row[0])
                except crypto.DecryptionError:
                    return [key_id]
                remaining.discard(key_id)
    return sorted(remaining)


class Command(BaseCommand):
    help = (
        "Restore a backup (its manifest, the dump beside it) into a new, empty PostgreSQL "
        "database, then verify the migrations, the audit trail against the manifest's seal and "
        "the decryption of the data with this environment's keys."
    )

    def add_arguments(self, parser):
        parser.add_argument("manifest", help="the .manifest.json written by `backup`")
        parser.add_argument(
            "--database-url",
            required=True,
            help="the empty database to restore into, e.g. postgres://punte@db/punte_restored",
        )

    def handle(self, *args, manifest: str, database_url: str, **options):
        try:
            parsed = dj_database_url.parse(database_url)
        except ValueError as exc:
            raise CommandError(f"--database-url: {exc}", returncode=2) from exc
        if "postgresql" not in parsed.get("ENGINE", "") or not parsed.get("NAME"):
            raise CommandError(
                "--database-url must name a PostgreSQL database (postgres://...).", returncode=2
            )
        target = {k: parsed.get(k) for k in ("NAME", "USER", "PASSWORD", "HOST", "PORT")}
        path = Path(manifest)
        try:
            document = backup.restore(path, target=target)
        except backup.BackupError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Restored {document['dump']['file']} into {target['NAME']}.")
        with _pointed_at(target), rls.system("verifying a restored backup"):
            problems = self._verify(document)
        if problems:
            raise CommandError("The restored database does not verify: " + " ".join(problems))
        self.stdout.write(
            f"Verified: migrations as in the backup, {len(document['heads'])} audit chains "
            f"intact and holding their sealed heads, data decrypts under "
            f"{', '.join(document['keys']['in_use']) or 'no key'}."
        )

    def _verify(self, document: dict) -> list[str]:
        from django.db.migrations.recorder import MigrationRecorder

        problems = []
        latest: dict[str, str] = {}
        for app, name in MigrationRecorder.Migration.objects.order_by("app", "name").values_list(
            "app", "name"
        ):
            latest[app] = name
        if latest != document.get("migrations"):
            problems.append("Its migrations differ from the manifest's.")
        breaches = list(audit.verify(anchors=audit.anchors_from(document)))
        if breaches:
            problems.append(f"{len(breaches)} audit chains fail verification (run verify_audit).")
        if audit.seal()["digest"] != document["digest"]:
            problems.append("Its audit chain heads are not those sealed in the manifest.")
        unreadable = _decrypts_each_key(document["keys"]["in_use"])
        if unreadable:
            problems.append(f"No value under key ids {', '.join(unreadable)} could be decrypted.")
        return problems
