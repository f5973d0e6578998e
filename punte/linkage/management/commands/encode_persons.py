"""Encode an agency's person records into Bloom-filter encodings (CLKs), at the agency.

    python manage.py encode_persons --input FILE.csv --secret-file KEY --output FILE.clk.jsonl

The CSV has the columns of ``link_persons`` (punte.linkage.engine.reading). The output holds, per
record, its id, its source, how precisely its date of birth is known, and four hardened Bloom
filters; the first line holds the encoding parameters and a fingerprint of secret and
parameters (punte.linkage.engine.clk). Nothing else from the input is written anywhere: not to the
output, not to the terminal, not to a temporary file. Messages about bad rows name the file,
line and field, without the value (the operator opens the line to see it).

The output is written to a private temporary file beside it and renamed into place when
complete, so a failed run leaves no half-written file. An existing output is refused unless
``--force`` is given.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from punte.core import rls
from punte.linkage.engine import clk, reading

# Messages from the reader may quote the value they could not read; an operator's terminal
# (or the log a scheduler keeps of it) must not receive it.
_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")


def withheld(message: str) -> str:
    return _QUOTED.sub("(value withheld)", message)


class Command(BaseCommand):
    help = "Encode person records (CSV) into privacy-preserving Bloom-filter encodings (JSONL)."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("--input", required=True, help="CSV file of person records")
        parser.add_argument(
            "--secret-file",
            required=True,
            help=f"file holding the secret shared by the agencies (at least "
            f"{clk.MIN_SECRET_BYTES} random bytes)",
        )
        parser.add_argument("--output", required=True, help="encoded file to write (JSONL)")
        parser.add_argument(
            "--force", action="store_true", help="replace the output file if it exists"
        )

    @rls.as_system("encoding reads every person for linkage")
    def handle(self, *args, **options):
        output = Path(options["output"])
        if output.exists() and not options["force"]:
            raise CommandError(
                f"{output} exists; choose another name or pass --force to replace it",
                returncode=2,
            )
        if output.is_dir():
            raise CommandError(f"{output} is a directory", returncode=2)
        if not output.parent.is_dir():
            raise CommandError(f"{output.parent} is not a directory", returncode=2)
        try:
            secret = clk.read_secret(options["secret_file"])
        except clk.EncodingError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        try:
            records = reading.read_csv_files([options["input"]]).records
        except reading.InputError as exc:
            raise CommandError(withheld(str(exc)), returncode=2) from exc

        encoder = clk.Encoder(secret)
        rows = clk.prepare_records(records.to_dict("records"))
        encoded = (encoder.encode(record) for record in rows)
        handle, temporary = tempfile.mkstemp(
            prefix=f".{output.name}.", suffix=".partial", dir=output.parent
        )
        os.close(handle)
        try:
            clk.write_jsonl(temporary, encoder.header(len(rows)), encoded)
            os.replace(temporary, output)
        except OSError as exc:
            raise CommandError(
                f"{output}: cannot be written ({exc.strerror or exc})", returncode=2
            ) from exc
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
        self.stdout.write(
            f"{len(rows)} records encoded into {output} (fingerprint {encoder.fingerprint})"
        )
