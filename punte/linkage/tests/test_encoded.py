"""Privacy-preserving linkage: encodings (engine.clk), encode_persons, linking encodings.

What an agency's operator and Punte must be able to rely on: the encoder writes no name, date
or secret anywhere; encodings made with another secret or other parameters are refused;
records of one person encode alike and of different people do not; encoded files link into
the right people, on their own and against Punte's own persons.
"""

from __future__ import annotations

import base64
import csv
import datetime
import json
import logging
import re
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from punte.core.models import AuditEvent, Country
from punte.identification.persons.models import Person
from punte.linkage.engine import clk, encoded, generator, normalise

DATA = Path(__file__).parent / "data"
LABELLED = [DATA / "labelled_police.csv", DATA / "labelled_ngo_dgaspc.csv"]
# The people of the labelled set (see test_link_persons_command): n6 is p6's twin.
PEOPLE = [
    {"p1", "n1", "d1"}, {"p2", "n2", "d2"}, {"p3", "n3"}, {"p4", "n4"}, {"p5", "n5"},
    {"p6"}, {"n6"}, {"p7"}, {"n7"}, {"p8", "n8"}, {"d3"},
]  # fmt: skip
SECRET = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKL"  # 48 bytes, test only
COLUMNS = list(generator.INPUT_COLUMNS)


def write_secret(path: Path, secret: bytes = SECRET) -> Path:
    path.write_bytes(secret)
    return path


def synthetic(records: int, *, seed: int, prefix: str = "", clean: bool = False) -> list[dict]:
    """Generated records; `clean`: only those written without any error (first in order)."""
    rows = generator.generate(records=records, sources=3, seed=seed).records
    if clean:
        rows = sorted(rows, key=lambda r: bool(r["errors"]))
    return [{c: r[c] for c in COLUMNS} | {"record_id": prefix + r["record_id"]} for r in rows]


def write_csv(path: Path, rows: list[dict]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def encode(*args: str) -> None:
    call_command("encode_persons", *args, verbosity=0)


def parsed(rows: list[dict]) -> list[dict]:
    return [r | {"date_of_birth": normalise.parse_date(r["date_of_birth"])} for r in rows]


def dice(a: np.ndarray, b: np.ndarray) -> float:
    return 2 * (a & b).sum() / (a.sum() + b.sum())


@pytest.fixture(scope="module")
def model_file(tmp_path_factory) -> Path:
    """An encoded model trained on 600 synthetic records encoded with SECRET."""
    frame = pd.DataFrame(parsed(synthetic(600, seed=1)))
    path = tmp_path_factory.mktemp("model") / "encoded-model.json"
    encoded.link_records(frame, SECRET).model.save(path)
    return path


# --------------------------------------------------------------------------- the encodings


def test_records_of_one_person_encode_alike_and_of_different_people_do_not():
    # Without the random bit flips, so the similarities below are the same on every run.
    encoder = clk.Encoder(SECRET, clk.EncodingParameters(flip=0))
    date = normalise.PartialDate
    ana = {
        "record_id": "1", "source": "a", "first_name": "Ana", "last_name": "Popescu",
        "date_of_birth": date(2001, 5, 17), "sex": "f", "citizenship": "RO",
        "place_of_birth": "Iași", "phone": "+40 721 234 567", "identity_number": "TEST0000017",
    }  # fmt: skip
    # Diacritics, capitals and Cyrillic transliteration are undone before hashing.
    same = ana | {
        "first_name": "ANA", "last_name": "Popéscu", "place_of_birth": "Iasi",
        "identity_number": "test-000-0017",
    }  # fmt: skip
    other = ana | {
        "first_name": "Vasile", "last_name": "Lungu", "date_of_birth": date(1970, 10, 10),
        "place_of_birth": "Cahul", "citizenship": "MD", "sex": "m", "phone": "069 123 456",
        "identity_number": "TEST0000018",
    }  # fmt: skip

    def filters(record):
        row = encoder.encode(record)
        return {g: clk.unpack(row[g], encoder.parameters.bits[g]) for g in clk.GROUPS}

    a, b, c = filters(ana), filters(same), filters(other)
    for group in clk.GROUPS:
        assert dice(a[group], b[group]) >= 0.7, group
        assert dice(a[group], c[group]) <= 0.35, group
    # Noise is drawn afresh for every record: one value never encodes twice the same way, so
    # identical encodings cannot be counted.
    noisy = clk.Encoder(SECRET)
    assert noisy.encode(ana)["first"] != noisy.encode(ana)["first"]
    # Same-name records in Cyrillic and in a transliteration share most of their name bits.
    oksana = filters(ana | {"first_name": "Оксана", "last_name": "Гнатюк"})
    latin = filters(ana | {"first_name": "Oksana", "last_name": "Hnatiuk"})
    assert dice(oksana["first"], latin["first"]) >= 0.7
    assert dice(oksana["last"], latin["last"]) >= 0.6


def test_the_fingerprint_names_secret_and_parameters_without_revealing_them():
    parameters = clk.EncodingParameters()
    fingerprint = clk.fingerprint(SECRET, parameters)
    assert fingerprint == clk.fingerprint(SECRET, clk.EncodingParameters())
    assert fingerprint != clk.fingerprint(SECRET[::-1], parameters)
    assert fingerprint != clk.fingerprint(SECRET, clk.EncodingParameters(flip=0.03))
    assert SECRET.decode() not in fingerprint


def test_too_short_or_repetitive_secrets_are_refused(tmp_path):
    with pytest.raises(clk.EncodingError, match="at least 32 bytes"):
        clk.read_secret(write_secret(tmp_path / "short", b"x" * 31))
    with pytest.raises(clk.EncodingError, match="not random"):
        clk.read_secret(write_secret(tmp_path / "same", b"ab" * 40))
    assert clk.read_secret(write_secret(tmp_path / "ok")) == SECRET


# --------------------------------------------------------------------------- encode_persons


def _tokens(rows: list[dict]) -> set[str]:
    """Every name, place and phone (as written and folded) and every date of the input."""
    found = set()
    for row in rows:
        for column in ("first_name", "last_name", "place_of_birth", "phone"):
            value = (row.get(column) or "").strip()
            for word in {
                value,
                *value.split(),
                normalise.fold(value),
                *normalise.fold(value).split(),
            }:
                if len(word) >= 3:
                    found.add(word)
        if row.get("date_of_birth"):
            found.add(row["date_of_birth"])
    return found


def test_encode_persons_writes_no_plaintext_and_not_the_secret(
    tmp_path, monkeypatch, capsys, caplog
):
    rows = [r | {"record_id": f"r{i}"} for i, r in enumerate(synthetic(300, seed=3))]
    (tmp_path / "in").mkdir()
    source = write_csv(tmp_path / "in" / "agency.csv", rows)
    secret = write_secret(tmp_path / "in" / "key")
    out = tmp_path / "out"
    out.mkdir()
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    caplog.set_level(logging.DEBUG)

    encode(
        "--input", str(source), "--secret-file", str(secret), "--output", str(out / "a.clk.jsonl")
    )

    written = [p for p in (*out.rglob("*"), *scratch.rglob("*")) if p.is_file()]
    assert [p.name for p in written] == ["a.clk.jsonl"]  # no temporary file left behind
    lines = (out / "a.clk.jsonl").read_text(encoding="utf-8").splitlines()
    header, records = json.loads(lines[0]), [json.loads(line) for line in lines[1:]]
    assert set(header) == {"format", "parameters", "fingerprint", "records"}
    assert header["records"] == len(records) == len(rows)
    # Per record, only the id, the agency, how precisely the date is known, and the filters;
    # each filter is exactly its number of bits, base64-encoded, and nothing else.
    for record in records:
        assert set(record) == {"record_id", "source", "birth_precision", *clk.GROUPS}
        assert record["birth_precision"] in (None, "day", "month", "year")
        for group in clk.GROUPS:
            if record[group] is not None:
                raw = base64.b64decode(record[group], validate=True)
                assert len(raw) * 8 == header["parameters"]["bits"][group]
    # Outside the filters, no name, place, phone or date of the input appears anywhere: not in
    # the file, not on the terminal, not in any log record.
    outside_filters = json.dumps(header) + "".join(
        json.dumps({k: v for k, v in r.items() if k not in clk.GROUPS}) for r in records
    )
    captured = capsys.readouterr()
    said = captured.out + captured.err + caplog.text
    tokens = _tokens(rows)
    assert len(tokens) > 300
    # Whole words: "ion" (a folded given name) is inside "birth_precision".
    leaked = [t for t in tokens if re.search(rf"\b{re.escape(t)}\b", outside_filters + "\n" + said)]
    assert leaked == []
    # Inside the filters only base64 text: long names and every date are checked on the raw
    # bytes too (a three-letter name can occur in base64 by chance, a date cannot: "-").
    everything = (out / "a.clk.jsonl").read_bytes()
    long_tokens = [t for t in tokens if len(t) >= 7 or "-" in t]
    assert [t for t in long_tokens if t.encode() in everything] == []
    # The secret never leaves the secret file.
    assert SECRET not in everything and SECRET.decode() not in said
    assert base64.b64encode(SECRET) not in everything
    assert header["fingerprint"] in captured.out


def test_encode_persons_writes_no_identity_number_and_withholds_a_bad_one(tmp_path, capsys, caplog):
    rows = synthetic(200, seed=7)
    # Synthetic numbers (not a real format), one per person, on every other record.
    numbers = [f"TEST{i:07d}" if i % 2 else "" for i in range(len(rows))]
    columns = [*COLUMNS, "identity_number"]
    source = tmp_path / "agency.csv"
    with source.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(r | {"identity_number": n} for r, n in zip(rows, numbers, strict=True))
    secret = write_secret(tmp_path / "key")
    output = tmp_path / "a.clk.jsonl"
    caplog.set_level(logging.DEBUG)
    encode("--input", str(source), "--secret-file", str(secret), "--output", str(output))

    written = output.read_bytes()
    said = "".join(capsys.readouterr()) + caplog.text
    given = [n for n in numbers if n]
    assert [n for n in given if n.encode() in written or n in said] == []
    assert [n[4:] for n in given if n[4:].encode() in written] == []  # the digits alone
    records = [json.loads(line) for line in written.decode().splitlines()[1:]]
    # Whether a record carries a number is visible (its filter is present); the number is not.
    assert [r["identity"] is not None for r in records] == [bool(n) for n in numbers]

    bad = tmp_path / "bad.csv"
    bad.write_text(
        "record_id,source,first_name,last_name,date_of_birth,identity_number\n"
        "1,a,Ana,Pop,2001,TEST-0000-017\n2,a,Ion,Pop,2002,TEST€017\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match=r"bad\.csv:3: identity_number: not an") as refused:
        encode("--input", str(bad), "--secret-file", str(secret),
               "--output", str(tmp_path / "b.clk.jsonl"))  # fmt: skip
    assert refused.value.returncode == 2
    assert "TEST" not in str(refused.value)
    assert not (tmp_path / "b.clk.jsonl").exists()


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("", "the file is empty"),
        ("record_id,source,first_name,last_name,date_of_birth\n", "header but no records"),
        ("record_id,source,first_name,date_of_birth\n1,a,Ana,2001\n", "missing required column"),
        (
            "record_id,source,first_name,last_name,date_of_birth\n1,a,Ana,Pop,17/05/2001\n",
            r"in\.csv:2: date_of_birth: \(value withheld\) is not a date",
        ),
    ],
)
def test_bad_input_is_refused_with_exit_code_2_and_without_its_values(tmp_path, content, says):
    source = tmp_path / "in.csv"
    source.write_text(content, encoding="utf-8")
    output = tmp_path / "out.clk.jsonl"
    with pytest.raises(CommandError, match=says) as refused:
        encode("--input", str(source), "--secret-file", str(write_secret(tmp_path / "k")),
               "--output", str(output))  # fmt: skip
    assert refused.value.returncode == 2
    assert "17/05/2001" not in str(refused.value)
    assert not output.exists()


def test_a_short_secret_or_an_existing_output_is_refused_with_exit_code_2(tmp_path):
    source = write_csv(tmp_path / "in.csv", synthetic(20, seed=2))
    output = tmp_path / "out.clk.jsonl"
    short = write_secret(tmp_path / "short", b"0123456789abcdef")
    with pytest.raises(CommandError, match="at least 32 bytes") as refused:
        encode("--input", str(source), "--secret-file", str(short), "--output", str(output))
    assert refused.value.returncode == 2
    with pytest.raises(CommandError, match="cannot read the secret file") as refused:
        encode("--input", str(source), "--secret-file", str(tmp_path / "none"),
               "--output", str(output))  # fmt: skip
    assert refused.value.returncode == 2
    assert not output.exists()

    key = str(write_secret(tmp_path / "key"))
    output.write_text("an earlier encoding")
    with pytest.raises(CommandError, match="exists") as refused:
        encode("--input", str(source), "--secret-file", key, "--output", str(output))
    assert refused.value.returncode == 2
    assert output.read_text() == "an earlier encoding"
    encode("--input", str(source), "--secret-file", key, "--output", str(output), "--force")
    assert json.loads(output.read_text().splitlines()[0])["records"] == 20


# --------------------------------------------------------------------------- linking encodings


def link(*args: str) -> None:
    call_command("link_persons", *args, verbosity=0)


def read(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_encoded_files_made_with_another_secret_or_parameters_are_refused(tmp_path):
    source = write_csv(tmp_path / "in.csv", synthetic(60, seed=4))
    encode("--input", str(source), "--secret-file", str(write_secret(tmp_path / "k1")),
           "--output", str(tmp_path / "a.clk.jsonl"))  # fmt: skip
    encode("--input", str(source), "--secret-file",
           str(write_secret(tmp_path / "k2", SECRET[::-1])),
           "--output", str(tmp_path / "b.clk.jsonl"))  # fmt: skip
    records = parsed(synthetic(60, seed=5, prefix="x"))
    other = clk.Encoder(SECRET, clk.EncodingParameters(flip=0.05))
    clk.write_jsonl(
        tmp_path / "c.clk.jsonl", other.header(len(records)), map(other.encode, records)
    )
    output = tmp_path / "clusters.csv"
    for second, says in (("b", "another secret"), ("c", "other parameters")):
        with pytest.raises(CommandError, match=says) as refused:
            link(
                "--input", str(tmp_path / "a.clk.jsonl"),
                "--input", str(tmp_path / f"{second}.clk.jsonl"),
                "--output", str(output),
            )  # fmt: skip
        assert refused.value.returncode == 2
        assert not output.exists()


@pytest.mark.parametrize("missing", ["phone", "identity"])
def test_encodings_with_other_filters_than_this_version_uses_are_refused(tmp_path, missing):
    # Files from before the phone, then the identity number, had a filter of their own.
    records = parsed(synthetic(60, seed=6))
    encoder = clk.Encoder(SECRET)
    header = encoder.header(len(records))
    del header["parameters"]["bits"][missing]
    rows = [{k: v for k, v in encoder.encode(r).items() if k != missing} for r in records]
    clk.write_jsonl(tmp_path / "old.clk.jsonl", header, rows)
    with pytest.raises(CommandError, match="other parameters") as refused:
        link("--input", str(tmp_path / "old.clk.jsonl"), "--output", str(tmp_path / "out.csv"))
    assert refused.value.returncode == 2


def test_too_few_encoded_records_to_train_on_are_refused_with_exit_code_2(tmp_path):
    key = str(write_secret(tmp_path / "key"))
    inputs = []
    for path in LABELLED:
        target = tmp_path / f"{path.stem}.clk.jsonl"
        encode("--input", str(path), "--secret-file", key, "--output", str(target))
        inputs += ["--input", str(target)]
    with pytest.raises(CommandError, match="too few to estimate") as refused:
        link(*inputs, "--output", str(tmp_path / "clusters.csv"))
    assert refused.value.returncode == 2
    assert not (tmp_path / "clusters.csv").exists()


def test_the_labelled_set_encoded_by_its_agencies_links_into_its_known_people(tmp_path, model_file):
    key = str(write_secret(tmp_path / "key"))
    # Linking happens in a population (the national database has thousands of records): name
    # frequencies, which tell an established given name from a typo, come from it.
    background = write_csv(tmp_path / "background.csv", synthetic(800, seed=9, prefix="bg-"))
    inputs = []
    for path in [*LABELLED, background]:
        target = tmp_path / f"{path.stem}.clk.jsonl"
        encode("--input", str(path), "--secret-file", key, "--output", str(target))
        inputs += ["--input", str(target)]
    output = tmp_path / "clusters.csv"
    link(*inputs, "--output", str(output), "--model", str(model_file))

    rows = read(output)
    assert list(rows[0]) == ["record_id", "cluster_id", "match_probability"]
    cluster = {r["record_id"]: r["cluster_id"] for r in rows}
    labelled = set().union(*PEOPLE)
    found = {frozenset(r for r in labelled if cluster[r] == cluster[record]) for record in labelled}
    assert found == {frozenset(p) for p in PEOPLE}


def test_an_encoded_benchmark_is_linked_far_better_than_exact_matching(tmp_path):
    from punte.linkage.engine import evaluation

    bench = generator.generate(records=1500, sources=3, seed=12)
    frame = pd.DataFrame(parsed([{c: r[c] for c in COLUMNS} for r in bench.records]))
    result = encoded.link_records(frame, SECRET)
    predicted = result.clusters.set_index("record_id")["cluster_id"]
    truth = {r["record_id"]: r["person_id"] for r in bench.records}
    scores = evaluation.pairwise_scores(predicted, truth)
    assert scores.precision >= 0.9
    assert scores.recall >= 0.7


# --------------------------------------------------------------------------- with the database


def _persons(rows: list[dict]) -> dict[str, Person]:
    from punte.accounts.tests.factories import OrganisationFactory

    organisation = OrganisationFactory()
    countries = set(Country.objects.values_list("alpha2", flat=True))
    sex = {"F": "female", "M": "male"}
    made = {}
    for row in rows:
        date = normalise.parse_date(row["date_of_birth"])
        full = date is not None and date.day is not None
        made[row["record_id"]] = Person(
            owner_organisation=organisation,
            given_name=row["first_name"] or None,
            family_name=row["last_name"] or None,
            date_of_birth=datetime.date(date.year, date.month, date.day) if full else None,
            birth_year=date.year if date else None,
            sex=sex.get(row["sex"], "unknown"),
            citizenship_id=row["citizenship"] if row["citizenship"] in countries else None,
        )
    Person.objects.bulk_create(made.values())
    return made


@pytest.mark.django_db
def test_an_agency_file_links_with_punte_persons_encoded_in_memory(tmp_path, model_file, capsys):
    ours = _persons(synthetic(500, seed=21, clean=True))
    # The agency knows three of Punte's persons, written its own way, and one stranger.
    known = list(ours.items())[:3]
    agency = [
        {c: "" for c in COLUMNS} | {
            "record_id": f"agency-{i}", "source": "agency",
            "first_name": person.given_name.upper() if person.given_name else "",
            "last_name": person.family_name or "",
            "date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth
            else str(person.birth_year or ""),
        }
        for i, (_, person) in enumerate(known)
    ] + [
        {c: "" for c in COLUMNS} | {
            "record_id": "agency-9", "source": "agency", "first_name": "Zinovia",
            "last_name": "Crăciunescu", "date_of_birth": "1931-02-28",
        }
    ]  # fmt: skip
    key = write_secret(tmp_path / "key")
    encode("--input", str(write_csv(tmp_path / "agency.csv", agency)), "--secret-file", str(key),
           "--output", str(tmp_path / "agency.clk.jsonl"))  # fmt: skip
    output = tmp_path / "clusters.csv"
    call_command(
        "link_encoded_with_database", "--input", str(tmp_path / "agency.clk.jsonl"),
        "--secret-file", str(key), "--output", str(output), "--model", str(model_file),
        verbosity=0,
    )  # fmt: skip

    rows = read(output)
    assert list(rows[0]) == ["record_id", "cluster_id", "match_probability"]
    cluster = {r["record_id"]: r["cluster_id"] for r in rows}
    for i, (_, person) in enumerate(known):
        assert cluster[f"agency-{i}"] == cluster[str(person.pk)]
    alone = [r for r, c in cluster.items() if c == cluster["agency-9"]]
    assert alone == ["agency-9"]
    # Ids, clusters and probabilities only: no name of Punte's persons reaches the output.
    text = output.read_text(encoding="utf-8") + capsys.readouterr().out
    names = {p.family_name for p in ours.values() if p.family_name and len(p.family_name) > 3}
    assert [n for n in names if n in text] == []
    event = AuditEvent.objects.get(action="linkage.encoded_file_linked")
    assert event.changes["file_records"] == 4
    assert event.changes["file_records_matched"] >= 3

    # The same file with another secret: refused, nothing written.
    output.unlink()
    other = write_secret(tmp_path / "other", SECRET[::-1])
    with pytest.raises(CommandError, match="another secret") as refused:
        call_command(
            "link_encoded_with_database", "--input", str(tmp_path / "agency.clk.jsonl"),
            "--secret-file", str(other), "--output", str(output), verbosity=0,
        )  # fmt: skip
    assert refused.value.returncode == 2
    assert not output.exists()
