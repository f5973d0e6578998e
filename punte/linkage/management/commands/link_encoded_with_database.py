"""Link an agency's encoded file with Punte's persons, encoded in memory with the same secret.

    python manage.py link_encoded_with_database --input AGENCY.clk.jsonl --secret-file KEY
        --output clusters.csv [--model MODEL.json] [--force]

Writes ``record_id, cluster_id, match_probability`` for the agency's records and Punte's
persons (their UUIDs); nothing else. See punte.linkage.services.encoded_files. A file made
with other parameters or another secret, or any bad input: a message and exit code 2, nothing
written.
"""

from __future__ import annotations

import csv
import math
import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from punte.core import rls
from punte.linkage.engine import clk

OUTPUT_COLUMNS = ("record_id", "cluster_id", "match_probability")


def write_clusters(path: Path, clusters) -> None:
    """Beside `path` first, then renamed: a failed run leaves no half-written file."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(OUTPUT_COLUMNS)
            for record, cluster, p in clusters.itertuples(index=False):
                missing = p is None or (isinstance(p, float) and math.isnan(p))
                writer.writerow([record, cluster, "" if missing else f"{p:.6f}"])
        os.replace(temporary, path)
    except OSError as exc:
        raise CommandError(
            f"{path}: cannot be written ({exc.strerror or exc})", returncode=2
        ) from exc
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


class Command(BaseCommand):
    help = "Link an agency's encoded file with Punte's persons encoded in memory."

    def add_arguments(self, parser):
        parser.add_argument(
            "--input", action="append", required=True, metavar="FILE",
            help="an encoded *.clk.jsonl file; repeat for several",
        )  # fmt: skip
        parser.add_argument("--secret-file", required=True, help="the secret the files used")
        parser.add_argument("--output", required=True, help="clusters CSV to write")
        parser.add_argument("--model", help="an encoded model saved earlier (else trained)")
        parser.add_argument("--force", action="store_true", help="replace an existing output")

    @rls.as_system("linkage compares with every person")
    def handle(self, *args, **options):
        from punte.linkage.engine.model import ModelTrainingError
        from punte.linkage.services.encoded_files import link_with_database

        output = Path(options["output"])
        if output.exists() and not options["force"]:
            raise CommandError(f"{output} exists; pass --force to replace it", returncode=2)
        try:
            secret = clk.read_secret(options["secret_file"])
            result = link_with_database(
                options["input"], secret=secret, model_path=options.get("model")
            )
        except (ValueError, ModelTrainingError) as exc:  # input, secret and model refusals
            raise CommandError(str(exc), returncode=2) from exc
        clusters = result.clusters.sort_values(["cluster_id", "record_id"])
        write_clusters(output, clusters[list(OUTPUT_COLUMNS)])
        self.stdout.write(
            f"linked {len(result.clusters)} records into "
            f"{result.clusters['cluster_id'].nunique()} persons; written to {output}"
        )
