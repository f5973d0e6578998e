"""Seal the audit trail: print the head of every chain and a digest over them, as JSON.

Run it daily (e.g. from cron) and publish the output where the database's administrators cannot
write: e-mail it to the data protection officer, file it with the national archive, post it to a
transparency log. `verify_audit --anchors FILE` later proves that every sealed entry is still in
its chain with the same hash, which catches even a chain rewritten with fresh hashes.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from punte.core import audit


class Command(BaseCommand):
    help = "Print (or write) the current heads of the audit chains, for publication outside."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            metavar="FILE",
            help="write the seal to FILE (refuses to overwrite) instead of stdout",
        )

    def handle(self, *args, output, **options):
        document = json.dumps(audit.seal(), indent=2, sort_keys=True)
        if not output:
            self.stdout.write(document)
            return
        try:
            with Path(output).open("x", encoding="utf-8") as handle:
                handle.write(document + "\n")
        except FileExistsError as exc:
            raise CommandError(
                f"--output: {output} exists; seals are never overwritten.", returncode=2
            ) from exc
        except OSError as exc:
            raise CommandError(
                f"--output: cannot write {output}: {exc.strerror}.", returncode=2
            ) from exc
        self.stderr.write(f"Sealed {output}.")
