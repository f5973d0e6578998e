"""Re-encrypt every encrypted field value to the primary key, in small batches, while Punte runs."""

from __future__ import annotations

import argparse
from collections import Counter, defaultdict
from functools import reduce
from operator import or_

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, DjangoHelpFormatter
from django.db import models, transaction
from django.db.models.functions import Cast, Substr

from punte.core import audit, crypto
from punte.core.fields import EncryptedField, encrypted_fields

# "v1:" + a key id of at most 16 characters + ":" - enough to read the key id, no more.
_HEADER_LENGTH = len(crypto.PREFIX) + 1 + 16 + 1

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


class _Formatter(DjangoHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Django's option ordering, and the procedure above printed as written."""


def _key_id(header: str | None) -> str:
    try:
        return crypto.key_id_of(header or "")
    except crypto.DecryptionError:
        return "(not a Punte ciphertext)"


def encrypted_models() -> list[tuple[type[models.Model], list[EncryptedField]]]:
    return [
        (model, fields)
        for model in apps.get_models()
        if (fields := encrypted_fields(model)) and not model._meta.proxy
    ]


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
                for pk, *ciphertexts in batch:
                    updates = {}
                    for field, ciphertext in zip(fields, ciphertexts, strict=True):
                        if ciphertext is None or ciphertext.startswith(prefix):
                            continue
                        try:
                            fresh = crypto.reencrypt(
                                ciphertext, associated_data=field.associated_data
                            )
                        except crypto.DecryptionError:
                            skip.add(pk)
                            failures.append(f"{label}.{field.name} {pk}")
                            continue
                        # A plain text value: the ciphertext is written as it is, not encrypted
                        # again by the field. update() leaves auto_now fields alone.
                        updates[field.attname] = models.Value(
                            fresh, output_field=models.TextField()
                        )
                        by_field[f"{label}.{field.name}"] += 1
                    if updates:
                        model._base_manager.filter(pk=pk).update(**updates)
                        rows_done += 1
            self.stdout.write(f"{label}: {rows_done} row(s) re-encrypted so far")
        return rows_done, failures
