"""Back up the PostgreSQL database: a custom-format dump and its manifest (ADR 0037).

Exit status 0 with the two files written, 2 on bad input (not PostgreSQL, an unwritable
directory, pg_dump missing, a role that row-level security restricts), 1 if pg_dump fails.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from punte.core import backup


class Command(BaseCommand):
    help = (
        "Dump the PostgreSQL database (pg_dump, custom format) and write beside it a manifest: "
        "the audit chain heads in the dump (a seal for verify_audit --anchors), the migrations, "
        "and the ids of the encryption keys the data needs (never the keys)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            default="backups",
            metavar="DIR",
            help="directory to write the dump and the manifest into (default: ./backups)",
        )

    def handle(self, *args, output: str, **options):
        try:
            made = backup.backup(Path(output))
        except backup.BackupError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        document = made.document
        self.stdout.write(
            f"Backup written: {made.dump} ({document['dump']['bytes']:,} bytes) and "
            f"{made.manifest}; {len(document['heads'])} audit chains sealed, "
            f"keys needed: {', '.join(document['keys']['in_use']) or 'none'}."
        )
