"""Re-encrypt every encrypted field value to the primary key, in small batches, while Punte runs."""

from __future__ import annotations

import argparse
from collections import Counter, defaultdict
from functools import reduce
from operator import or_

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, DjangoHelpFormatter
from django.db import connection, models, transaction
from django.db.models.functions import Cast, Substr

from punte.core import audit, crypto, rls
from punte.core.fields import EncryptedField, encrypted_fields

# "v1:" + a key id of at most 16 characters + ":" - enough to read the key id, no more.
_HEADER_LENGTH = len(crypto.PREFIX) + 1 + 16 + 1
# Rows per executemany call.
_ROWS_PER_UPDATE = 500

HELP = """\
Re-encrypt every encrypted field value to the primary key (PUNTE_ENCRYPTION_PRIMARY_KEY_ID).

Values are read as raw ciphertext; only those under another key are decrypted and encrypted
again, a batch of rows at a time, each batch in its own transaction with the rows locked. The
application keeps running throughout: every value carries its key id, and readers decrypt with
whichever listed key it names. Nothing else about a row changes (not modified_at, not
modified_by: this is not a user's change). One audit event per run records the counts.

Rotation procedure:
  1. Make a key:  python -c "from punte.settings.keys import new_key; print(new_key())"
  2. Add it to PUNTE_ENCRYPTION_KEYS next to the current one, primary unchanged, e.g.
       PUNTE_ENCRYPTION_KEYS=k2026a:<old key>,k2027a:<new key>
     and deploy to every web and worker process. (Every process must be able to read the new
     key before any process writes with it.)
  3. Make it primary:  PUNTE_ENCRYPTION_PRIMARY_KEY_ID=k2027a  and deploy again. New values
     now use the new key; old ones stay readable because the old key is still listed.
  4. Run:  python manage.py rotate_keys          (repeat it safely if interrupted)
  5. Check: python manage.py rotate_keys --dry-run
     must report 0 values on keys other than the primary.
  6. Remove the old key from PUNTE_ENCRYPTION_KEYS and deploy again. Keep the old key in the
     key vault until every backup made before step 4 has expired: those backups still need it.

Exit status: 0 done; 1 some values could not be decrypted (listed by record id, left as they
were); 2 misconfigured (no primary key) or invalid options.
"""


def _write(model, fresh: dict, pks: list) -> None:
    """Write the new ciphertexts of these rows, as they are: one statement, many parameter sets.

    Plain SQL on purpose: the field would encrypt a value again, and update() through the ORM
    builds one CASE branch per row, which costs more than the encryption. Only the encrypted
    columns are written, so auto_now fields such as modified_at keep their value.
    """
    fields = list(fresh)
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = COALESCE(%s, {quote(f.column)})" for f in fields)
    sql = (
        f"UPDATE {quote(model._meta.db_table)} SET {assignments} "  # noqa: S608 - names quoted
        f"WHERE {quote(model._meta.pk.column)} = %s"
    )
    pk_field = model._meta.pk
    params = [
        [fresh[f].get(pk) for f in fields] + [pk_field.get_db_prep_value(pk, connection)]
        for pk in pks
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


class _Formatter(DjangoHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Django's option ordering, and the procedure above printed as written."""


def _key_id(header: str | None) -> str:
    try:
        return crypto.key_id_of(header or "")
    except crypto.DecryptionError:
        return "(not a Punte ciphertext)"


def encrypted_models() -> list[tuple[type[models.Model], list[EncryptedField]]]:
    """Each table with encrypted columns once: a child of multi-table inheritance lists only its
    own columns (its parent's are rotated with the parent), a proxy none."""
    found = []
    for model in apps.get_models():
        local = set(model._meta.local_concrete_fields)
        fields = [f for f in encrypted_fields(model) if f in local]
        if fields and not model._meta.proxy:
            found.append((model, fields))
    return found


class Command(BaseCommand):
    help = HELP

    def create_parser(self, prog_name, subcommand, **kwargs):
        kwargs["formatter_class"] = _Formatter
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Change nothing; count values per model, field and key id.",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=200,
            help="Rows per transaction (default 200). Small batches keep locks short.",
        )

    @rls.as_system("key rotation re-encrypts every personal field")
    def handle(self, *args, dry_run: bool, batch_size: int, **options):
        primary = getattr(settings, "PUNTE_ENCRYPTION_PRIMARY_KEY_ID", "") or ""
        keyring = getattr(settings, "PUNTE_ENCRYPTION_KEYS", {}) or {}
        if not primary:
            raise CommandError(
                "PUNTE_ENCRYPTION_PRIMARY_KEY_ID is not set: name the key to rotate to "
                "(see `manage.py rotate_keys --help`).",
                returncode=2,
            )
        if primary not in keyring:
            raise CommandError(
                f"PUNTE_ENCRYPTION_PRIMARY_KEY_ID is {primary!r}, but PUNTE_ENCRYPTION_KEYS has "
                f"no key with that id (it lists: {', '.join(sorted(keyring)) or 'none'}).",
                returncode=2,
            )
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.", returncode=2)

        if dry_run:
            self._survey(primary, keyring)
        else:
            self._rotate(primary, batch_size)

    # --- dry run ---------------------------------------------------------------------------

    def _survey(self, primary: str, keyring: dict[str, bytes]) -> None:
        remaining = 0
        for model, fields in encrypted_models():
            for field in fields:
                headers = (
                    model._base_manager.filter(**{f"{field.name}__isnull": False})
                    .annotate(
                        _header=Substr(Cast(field.name, models.TextField()), 1, _HEADER_LENGTH)
                    )
                    .values_list("_header", flat=True)
                )
                counts = Counter(_key_id(h) for h in headers.iterator(chunk_size=2000))
                label = f"{model._meta.label}.{field.name}"
                if not counts:
                    self.stdout.write(f"{label}: no values")
                    continue
                parts = []
                for key_id, count in sorted(counts.items()):
                    note = " (primary)" if key_id == primary else ""
                    if key_id != primary and key_id not in keyring:
                        note = " (key NOT configured: unreadable)"
                    parts.append(f"{key_id}={count}{note}")
                    if key_id != primary:
                        remaining += count
                self.stdout.write(f"{label}: " + ", ".join(parts))
        if remaining:
            self.stdout.write(
                self.style.WARNING(
                    f"Dry run: {remaining} value(s) on keys other than {primary!r} would be "
                    "re-encrypted. Nothing was changed."
                )
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Dry run: every value is on the primary key {primary!r}. Keys other than it "
                    "may be removed from PUNTE_ENCRYPTION_KEYS. Nothing was changed."
                )
            )

    # --- rotation --------------------------------------------------------------------------

    def _rotate(self, primary: str, batch_size: int) -> None:
        prefix = crypto.prefix_for(primary)
        by_field: dict[str, int] = defaultdict(int)
        failures: list[str] = []
        rows_total = 0
        for model, fields in encrypted_models():
            rows, failed = self._rotate_model(model, fields, prefix, batch_size, by_field)
            rows_total += rows
            failures.extend(failed)

        values_total = sum(by_field.values())
        with transaction.atomic():
            audit.record(
                action="encryption.keys_rotated",
                subject_type="encryption.keyring",
                subject_id=primary,
                changes={
                    "primary_key_id": primary,
                    "rows": rows_total,
                    "values_reencrypted": values_total,
                    "by_field": dict(sorted(by_field.items())),
                    "failed": len(failures),
                },
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Re-encrypted {values_total} value(s) in {rows_total} row(s) to key {primary!r}."
            )
        )
        if failures:
            raise CommandError(
                f"{len(failures)} value(s) could not be decrypted and were left as they were "
                "(is their key still in PUNTE_ENCRYPTION_KEYS?): " + ", ".join(failures),
                returncode=1,
            )

    def _rotate_model(self, model, fields, prefix, batch_size, by_field) -> tuple[int, list[str]]:
        aliases = {field: f"_raw_{field.attname}" for field in fields}
        raw = model._base_manager.annotate(
            **{alias: Cast(field.name, models.TextField()) for field, alias in aliases.items()}
        )
        pending = raw.filter(
            reduce(
                or_,
                [
                    models.Q(**{f"{field.name}__isnull": False})
                    & ~models.Q(**{f"{alias}__startswith": prefix})
                    for field, alias in aliases.items()
                ],
            )
        )
        label = model._meta.label
        skip: set = set()  # rows with a value that cannot be decrypted: reported, not retried
        failures: list[str] = []
        rows_done = 0
        while True:
            with transaction.atomic():
                batch = list(
                    pending.exclude(pk__in=skip)
                    .order_by("pk")  # one lock order for every run: no deadlock between two
                    .select_for_update()
                    .values_list("pk", *aliases.values())[:batch_size]
                )
                if not batch:
                    break
                fresh: dict = defaultdict(dict)  # field -> {pk: new ciphertext}
                for pk, *ciphertexts in batch:
                    for field, ciphertext in zip(fields, ciphertexts, strict=True):
                        if ciphertext is None or ciphertext.startswith(prefix):
                            continue
                        try:
                            fresh[field][pk] = crypto.reencrypt(
                                ciphertext, associated_data=field.associated_data
                            )
                        except crypto.DecryptionError:
                            skip.add(pk)
                            failures.append(f"{label}.{field.name} {pk}")
                rows = sorted({pk for by_pk in fresh.values() for pk in by_pk})
                for start in range(0, len(rows), _ROWS_PER_UPDATE):
                    _write(model, fresh, rows[start : start + _ROWS_PER_UPDATE])
                for field, by_pk in fresh.items():
                    by_field[f"{label}.{field.name}"] += len(by_pk)
                rows_done += len(rows)
            self.stdout.write(f"{label}: {rows_done} row(s) re-encrypted so far")
        return rows_done, failures
