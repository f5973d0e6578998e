"""Link person records: the whole database, or agencies' CSV files without touching it.

    python manage.py link_persons [--train] [--model MODEL.json]
        relinks every person in the database (national person identifiers, review queue),
        with a progress bar; --model imports a saved model first, --train trains a new one.

    python manage.py link_persons --input A.csv [--input B.csv ...] --output clusters.csv
        [--model MODEL.json | --save-model MODEL.json] [--review-output review.csv]
        [--skip-invalid] [--threshold P] [--review-from P]
        links CSV files and writes record_id, cluster_id, match_probability; the database is
        not read or written. Columns: record_id, source, first_name, last_name,
        date_of_birth, and optional sex, citizenship, place_of_birth, phone, identity_number
        (a CNP, identity card or passport number; docs/LINKAGE.md).

Encoded inputs (``*.clk.jsonl``, see punte.linkage.engine.clk) are linked by
``punte.linkage.engine.encoded.link_files``; a run takes either CSV files or encoded files.

Bad input (a missing column, an unreadable date, an empty file, bad rows) is reported with
file and line and ends with exit code 2; nothing is written then.
"""

from __future__ import annotations

import csv
import math
import os
import sys
import tempfile
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from punte.core import rls

ENCODED_SUFFIX = ".clk.jsonl"
OUTPUT_COLUMNS = ("record_id", "cluster_id", "match_probability")
REVIEW_COLUMNS = ("record_id_l", "record_id_r", "match_probability", "reason")


def _fail(message: str) -> CommandError:
    return CommandError(message, returncode=2)


def write_csv_atomically(path: Path, columns, rows) -> None:
    """Write to a temporary file beside `path`, then rename: never a half-written output."""
    directory = path.parent if str(path.parent) else Path(".")
    try:
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - renamed after it is closed
            "w", dir=directory, prefix=f".{path.name}.", suffix=".tmp", delete=False,
            newline="", encoding="utf-8",
        )  # fmt: skip
    except OSError as exc:
        raise _fail(f"{path}: cannot be written ({exc.strerror or exc})") from exc
    try:
        with handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            writer.writerows(rows)
        os.replace(handle.name, path)
    except OSError as exc:
        Path(handle.name).unlink(missing_ok=True)
        raise _fail(f"{path}: cannot be written ({exc.strerror or exc})") from exc


def _probability(value) -> str:
    return (
        "" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.6f}"
    )


class Command(BaseCommand):
    help = (
        "Relink every person in the database, or link agencies' CSV files "
        "(--input ... --output ...) without touching the database."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--input",
            action="append",
            default=[],
            metavar="FILE",
            help="a CSV file (columns record_id, source, first_name, last_name, "
            "date_of_birth; optional sex, citizenship, place_of_birth, phone, "
            "identity_number: a CNP, identity card or passport number), or an encoded "
            "*.clk.jsonl file, to link; repeat for several",
        )
        parser.add_argument("--output", metavar="FILE", help="clusters CSV to write (file mode)")
        parser.add_argument(
            "--review-output",
            metavar="FILE",
            help="also write the pairs an analyst should look at (file mode)",
        )
        parser.add_argument(
            "--model",
            metavar="FILE",
            help="a saved model: file mode links with it instead of training; database mode "
            "imports it as the active model",
        )
        parser.add_argument(
            "--save-model", metavar="FILE", help="save the model trained on the files (file mode)"
        )
        parser.add_argument(
            "--train", action="store_true", help="train a new model on the database (database mode)"
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="link the valid rows of files with bad rows (the bad ones are still reported)",
        )
        parser.add_argument("--threshold", type=float, help="link at or above this probability")
        parser.add_argument(
            "--review-from", type=float, help="pairs from here to the threshold go to review"
        )
        parser.add_argument(
            "--memory-limit", help="DuckDB memory limit for file mode, e.g. 8GB (default: 80%%)"
        )

    @rls.as_system("linkage in the database compares every person")
    def handle(self, *args, **options):
        file_options = ("output", "review_output", "save_model", "skip_invalid")
        if not options["input"]:
            used = [f"--{o.replace('_', '-')}" for o in file_options if options.get(o)]
            if used:
                raise _fail(f"{', '.join(used)} need --input (file mode)")
            return self._relink_database(options)
        if options["train"]:
            raise _fail("--train is for the database; in file mode the files train the model")
        if not options["output"]:
            raise _fail("--output is required with --input")
        encoded = [p for p in options["input"] if p.endswith(ENCODED_SUFFIX)]
        if encoded and len(encoded) != len(options["input"]):
            raise _fail(
                f"give either CSV files or encoded ({ENCODED_SUFFIX}) files in one run, not both"
            )
        if encoded:
            return self._link_encoded(options)
        return self._link_csv(options)

    # ----------------------------------------------------------------- database mode

    def _relink_database(self, options) -> None:
        from tqdm import tqdm

        from punte.core.errors import ServiceError
        from punte.linkage import services

        if options.get("threshold") is not None or options.get("review_from") is not None:
            raise _fail(
                "the database's bands are settings (PUNTE_LINKAGE_THRESHOLD, "
                "PUNTE_LINKAGE_REVIEW_FROM), not options"
            )
        if options.get("model"):
            try:
                services.linkagemodel_import(path=options["model"])
            except ServiceError as exc:
                raise _fail(exc.message) from exc
        bar = tqdm(total=0, unit="record", file=sys.stderr, disable=options["verbosity"] == 0)

        def progress(stage: str, done: int, total: int) -> None:
            bar.set_description(stage)
            if total and bar.total != total:
                bar.reset(total=total)
            if total:
                bar.n = done
            bar.refresh()

        try:
            summary = services.persons_relink_all(
                progress=progress, train=True if options.get("train") else None
            )
        except ServiceError as exc:
            raise _fail(exc.message) from exc
        finally:
            bar.close()
        data = summary.as_dict()
        self.stdout.write(
            f"relinked {data['records']} records (model {data['model_version']}): "
            f"{data['new_national_persons']} new national persons, "
            f"{data['changed_links']} links changed, {data['review_added']} pairs queued "
            "for review"
        )

    # ----------------------------------------------------------------- file mode

    def _bands(self, options) -> tuple[float, float]:
        from punte.linkage.engine import linking

        threshold = options.get("threshold")
        review_from = options.get("review_from")
        threshold = linking.DEFAULT_THRESHOLD if threshold is None else threshold
        review_from = linking.DEFAULT_REVIEW_FROM if review_from is None else review_from
        if not linking.DEFAULT_VETO_BELOW <= review_from <= threshold < 1:
            raise _fail(
                f"need {linking.DEFAULT_VETO_BELOW} <= --review-from <= --threshold < 1 "
                f"(got {review_from} and {threshold})"
            )
        return threshold, review_from

    def _say(self, options):
        quiet = options["verbosity"] == 0
        started = time.perf_counter()

        def say(message: str) -> None:
            if not quiet:
                self.stderr.write(f"[{time.perf_counter() - started:7.1f} s] {message}")

        return say

    def _link_csv(self, options) -> None:
        from punte.linkage.engine import features, linking, reading
        from punte.linkage.engine.model import (
            PLAIN,
            ModelMismatchError,
            ModelTrainingError,
            TrainedModel,
        )

        threshold, review_from = self._bands(options)
        say = self._say(options)
        model = None
        if options.get("model"):
            try:
                model = TrainedModel.load(options["model"], PLAIN)
            except ModelMismatchError as exc:
                raise _fail(str(exc)) from exc
        say("reading " + ", ".join(options["input"]))
        try:
            read = reading.read_csv_files(options["input"], skip_invalid=options["skip_invalid"])
        except reading.InputError as exc:
            raise _fail(
                f"{exc}\nnothing was linked; correct the rows above"
                + ("" if options["skip_invalid"] else " (or pass --skip-invalid)")
            ) from exc
        for problem in read.problems:
            self.stderr.write(f"skipped {problem}")
        for path, columns in read.ignored_columns.items():
            self.stderr.write(f"{path}: ignored column(s) {', '.join(columns)}")
        say(f"{len(read.records)} records read; preparing comparisons")
        prepared = features.prepare(read.records)
        try:
            result = linking.link(
                prepared,
                model=model,
                threshold=threshold,
                review_from=review_from,
                memory_limit=options.get("memory_limit"),
                progress=say,
            )
        except ModelTrainingError as exc:
            raise _fail(f"{exc}\nlink with a model trained on more data (--model FILE)") from exc
        self._write(options, result, say)
        if options.get("save_model") and model is None:
            result.model.save(options["save_model"])
            say(f"model {result.model.version} saved to {options['save_model']}")

    def _link_encoded(self, options) -> None:
        try:
            from punte.linkage.engine.encoded import link_files
        except ImportError as exc:
            raise _fail("this version of Punte cannot link encoded files") from exc
        threshold, review_from = self._bands(options)
        say = self._say(options)
        try:
            result = link_files(
                [Path(p) for p in options["input"]],
                model_path=options.get("model"),
                threshold=threshold,
                review_from=review_from,
                progress=say,
            )
        except ValueError as exc:  # clk.EncodingError and other refusals of the input
            raise _fail(str(exc)) from exc
        self._write(options, result, say)
        if options.get("save_model") and not options.get("model"):
            result.model.save(options["save_model"])

    def _write(self, options, result, say) -> None:
        clusters = result.clusters.sort_values(["cluster_id", "record_id"])
        write_csv_atomically(
            Path(options["output"]),
            OUTPUT_COLUMNS,
            (
                (record, cluster, _probability(p))
                for record, cluster, p in clusters[list(OUTPUT_COLUMNS)].itertuples(index=False)
            ),
        )
        if options.get("review_output"):
            write_csv_atomically(
                Path(options["review_output"]),
                REVIEW_COLUMNS,
                (
                    (a, b, _probability(p), reason)
                    for a, b, p, reason in result.review_pairs[list(REVIEW_COLUMNS)].itertuples(
                        index=False
                    )
                ),
            )
        people = result.clusters["cluster_id"].nunique()
        say(
            f"{len(result.clusters)} records -> {people} persons; "
            f"{len(result.review_pairs)} pairs for review; written to {options['output']}"
        )
        self.stdout.write(
            f"linked {len(result.clusters)} records into {people} persons "
            f"({len(result.review_pairs)} pairs for review)"
        )
