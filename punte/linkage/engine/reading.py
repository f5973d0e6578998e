"""Reading agencies' CSV exports of person records, refusing what cannot be read.

Columns: ``record_id, source, first_name, last_name, date_of_birth`` (required) and
``sex, citizenship, place_of_birth, phone, identity_number`` (optional); other columns are
ignored. ``identity_number`` is a CNP, identity card or passport number (see
normalise.normalise_identity_number); problems with it are reported without its value. A file may
use commas or semicolons, with or without a byte-order mark. Every problem is reported with
the file and line it is on (``FILE:LINE: problem``); by default a file with any bad row is
refused as a whole, so that nobody links half a file without noticing.
"""

from __future__ import annotations

import csv
import dataclasses
from collections.abc import Callable, Iterable
from pathlib import Path

import pandas as pd

from punte.linkage.engine import normalise

REQUIRED_COLUMNS = ("record_id", "source", "first_name", "last_name", "date_of_birth")
OPTIONAL_COLUMNS = ("sex", "citizenship", "place_of_birth", "phone", "identity_number")
MAX_REPORTED = 50


@dataclasses.dataclass
class Problem:
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        return (
            f"{self.path}:{self.line}: {self.message}"
            if self.line
            else f"{self.path}: {self.message}"
        )


class InputError(ValueError):
    """The input cannot be linked; `problems` says where and why."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        shown = [str(p) for p in problems[:MAX_REPORTED]]
        if len(problems) > MAX_REPORTED:
            shown.append(f"... and {len(problems) - MAX_REPORTED} more problems")
        super().__init__("\n".join(shown))


@dataclasses.dataclass
class ReadResult:
    records: pd.DataFrame  # columns of punte.linkage.engine.features.RECORD_COLUMNS
    problems: list[Problem]  # rows skipped (only with skip_invalid=True)
    ignored_columns: dict[str, list[str]]


def _delimiter(header_line: str) -> str:
    return ";" if header_line.count(";") > header_line.count(",") else ","


def read_csv_files(
    paths: Iterable[str | Path],
    *,
    skip_invalid: bool = False,
    on_row: Callable[[int], None] | None = None,
) -> ReadResult:
    """Read and validate person records from CSV files (see the module docstring)."""
    rows: list[dict] = []
    problems: list[Problem] = []  # row problems
    fatal: list[Problem] = []  # file problems: never skippable
    ignored: dict[str, list[str]] = {}
    seen: dict[str, tuple[str, int]] = {}
    for path in paths:
        name = str(path)
        try:
            with open(path, encoding="utf-8-sig", newline="") as handle:
                first_line = handle.readline()
                if not first_line.strip():
                    fatal.append(Problem(name, None, "the file is empty"))
                    continue
                handle.seek(0)
                reader = csv.reader(handle, delimiter=_delimiter(first_line))
                header = [h.strip().lower() for h in next(reader)]
                missing = [c for c in REQUIRED_COLUMNS if c not in header]
                if missing:
                    fatal.append(
                        Problem(name, 1, "missing required column(s): " + ", ".join(missing))
                    )
                    continue
                duplicated = sorted({h for h in header if header.count(h) > 1 and h})
                if duplicated:
                    fatal.append(Problem(name, 1, "repeated column(s): " + ", ".join(duplicated)))
                    continue
                known = set(REQUIRED_COLUMNS) | set(OPTIONAL_COLUMNS)
                extra = [h for h in header if h not in known]
                if extra:
                    ignored[name] = extra
                position = {h: i for i, h in enumerate(header)}
                count = 0
                line = 1
                for fields in reader:
                    start = line + 1
                    line = reader.line_num
                    if not any(f.strip() for f in fields):
                        continue  # blank lines are not records
                    count += 1
                    record, errors = _parse_row(fields, position, len(header))
                    if record is not None and record["record_id"] in seen:
                        other = seen[record["record_id"]]
                        errors.append(
                            f"record_id {record['record_id']!r} already used at "
                            f"{other[0]}:{other[1]} (record ids must be unique across inputs)"
                        )
                    if errors:
                        problems.extend(Problem(name, start, e) for e in errors)
                        continue
                    seen[record["record_id"]] = (name, start)
                    rows.append(record)
                    if on_row:
                        on_row(1)
                if count == 0:
                    fatal.append(Problem(name, None, "the file has a header but no records"))
        except UnicodeDecodeError as exc:
            fatal.append(Problem(name, None, f"not UTF-8 text ({exc.reason} at byte {exc.start})"))
        except csv.Error as exc:
            fatal.append(Problem(name, None, f"not a readable CSV file ({exc})"))
        except OSError as exc:
            fatal.append(Problem(name, None, f"cannot be read ({exc.strerror or exc})"))
    if fatal or (problems and not skip_invalid):
        raise InputError(fatal + problems)
    if not rows:
        raise InputError([Problem("input", None, "no valid records to link")])
    frame = pd.DataFrame(rows, columns=list(REQUIRED_COLUMNS) + list(OPTIONAL_COLUMNS))
    return ReadResult(records=frame, problems=problems, ignored_columns=ignored)


def _parse_row(fields: list[str], position: dict[str, int], width: int):
    errors: list[str] = []
    if len(fields) != width:
        return None, [f"expected {width} fields, found {len(fields)}"]

    def get(column: str) -> str:
        index = position.get(column)
        return fields[index].strip() if index is not None else ""

    record_id, source = get("record_id"), get("source")
    if not record_id:
        errors.append("record_id is empty")
    if not source:
        errors.append("source is empty")
    first, last = get("first_name"), get("last_name")
    if not first and not last:
        errors.append("first_name and last_name are both empty")
    try:
        dob = normalise.parse_date(get("date_of_birth"))
    except normalise.DateError as exc:
        errors.append(f"date_of_birth: {exc}")
        dob = None
    try:
        sex = normalise.normalise_sex(get("sex"))
    except ValueError as exc:
        errors.append(f"sex: {exc}")
        sex = None
    try:
        citizenship = normalise.normalise_citizenship(get("citizenship"))
    except ValueError as exc:
        errors.append(f"citizenship: {exc}")
        citizenship = None
    try:
        identity_number = normalise.normalise_identity_number(get("identity_number"))
    except ValueError as exc:
        errors.append(f"identity_number: {exc}")
        identity_number = None
    record = {
        "record_id": record_id,
        "source": source,
        "first_name": first,
        "last_name": last,
        "date_of_birth": dob,
        "sex": sex,
        "citizenship": citizenship,
        "place_of_birth": get("place_of_birth"),
        "phone": get("phone"),
        "identity_number": identity_number,
    }
    return record, errors
