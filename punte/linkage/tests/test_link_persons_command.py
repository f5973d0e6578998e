"""`manage.py link_persons --input ... --output ...`: agencies' files linked end to end.

The labelled set (tests/data/labelled_*.csv) holds eleven people written by three agencies
with the errors issue 4 lists: capitals, a year-only date, Cyrillic and two transliterations,
nicknames (Ioan/Ionel, Gheorghe/George, Elena/Lenuța), cedilla and comma forms, swapped
names, missing sex and citizenship; and twins (same family name and date of birth) who are two
people. It is linked with a model trained on synthetic records (tests never train on more
than a few hundred records).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from punte.linkage.engine import evaluation, generator
from punte.linkage.tests.db_factories import trained_model

DATA = Path(__file__).parent / "data"
LABELLED = [DATA / "labelled_police.csv", DATA / "labelled_ngo_dgaspc.csv"]
PEOPLE = {
    "ana": ["p1", "n1", "d1"],
    "oksana": ["p2", "n2", "d2"],
    "ioan": ["p3", "n3"],
    "gheorghe": ["p4", "n4"],
    "elena": ["p5", "n5"],
    "cristina": ["p6"],
    "andreea": ["n6"],  # Cristina's twin
    "mihai": ["p7"],
    "maria": ["n7"],
    "stefan": ["p8", "n8"],
    "vasile": ["d3"],
}
TRUTH = {record: person for person, records in PEOPLE.items() for record in records}


@pytest.fixture(scope="module")
def model_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("model") / "model.json"
    trained_model().save(path)
    return path


def read(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def run(*args: str) -> None:
    call_command("link_persons", *args, verbosity=0)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_the_labelled_set_is_linked_into_its_known_people(tmp_path, model_file):
    output, review = tmp_path / "clusters.csv", tmp_path / "review.csv"
    run(
        *(a for p in LABELLED for a in ("--input", str(p))),
        "--output", str(output), "--model", str(model_file), "--review-output", str(review),
    )  # fmt: skip
    rows = read(output)
    assert list(rows[0]) == ["record_id", "cluster_id", "match_probability"]
    assert sorted(r["record_id"] for r in rows) == sorted(TRUTH)
    clusters = {r["record_id"]: r["cluster_id"] for r in rows}
    found = {frozenset(r for r in TRUTH if clusters[r] == clusters[record]) for record in TRUTH}
    assert found == {frozenset(records) for records in PEOPLE.values()}
    # A linked record carries its strongest link's probability; a record alone, none.
    probability = {r["record_id"]: r["match_probability"] for r in rows}
    assert float(probability["p1"]) >= 0.8
    assert probability["p7"] == ""
    # The twins are not linked, but an analyst is asked about them.
    pairs = {frozenset((r["record_id_l"], r["record_id_r"])) for r in read(review)}
    assert frozenset(("p6", "n6")) in pairs


def test_files_train_their_own_model_and_link_a_generated_benchmark(tmp_path):
    bench = generator.generate(records=700, sources=3, seed=11)
    generator.write(bench, tmp_path / "bench")
    output, saved = tmp_path / "clusters.csv", tmp_path / "model.json"
    inputs = [str(tmp_path / "bench" / f"{agency.name}.csv") for agency in bench.agencies]
    run(
        *(a for p in inputs for a in ("--input", p)),
        "--output", str(output), "--save-model", str(saved),
    )  # fmt: skip
    predicted = {r["record_id"]: r["cluster_id"] for r in read(output)}
    truth = {r["record_id"]: r["person_id"] for r in bench.records}
    scores = evaluation.pairwise_scores(predicted, truth)
    # Far better than exact matching (recall about 0.2), even trained on 700 records.
    assert scores.precision >= 0.9
    assert scores.recall >= 0.7
    assert saved.exists()


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("", "the file is empty"),
        ("record_id,source,first_name,last_name,date_of_birth\n", "header but no records"),
        ("record_id,source,first_name,date_of_birth\n1,a,Ana,2001\n", "missing required column"),
        (
            "record_id,source,first_name,last_name,date_of_birth\n"
            "1,a,Ana,Pop,2001-05-17\n2,a,Ion,Pop,17/05/2001\n",
            r"in\.csv:3: date_of_birth: '17/05/2001' is not a date",
        ),
        (
            "record_id,source,first_name,last_name,date_of_birth,citizenship\n"
            "1,a,Ana,Pop,2001,Moldova\n",
            r"in\.csv:2: citizenship",
        ),
        (
            "record_id,source,first_name,last_name,date_of_birth\n1,a,Ana,Pop,2001\n1,b,Ion,Pop,2002\n",
            r"in\.csv:3: record_id '1' already used at .*in\.csv:2",
        ),
        (
            "record_id,source,first_name,last_name,date_of_birth\n1,a,,,2001\n",
            r"in\.csv:2: first_name and last_name are both empty",
        ),
    ],
)
def test_bad_input_is_refused_with_its_line_and_exit_code_2(tmp_path, model_file, content, says):
    source = write(tmp_path / "in.csv", content)
    output = tmp_path / "out.csv"
    with pytest.raises(CommandError, match=says) as refused:
        run("--input", str(source), "--output", str(output), "--model", str(model_file))
    assert refused.value.returncode == 2
    assert not output.exists()


def test_identity_numbers_are_read_normalised_and_missing_when_empty(tmp_path):
    from punte.linkage.engine import reading

    source = write(
        tmp_path / "in.csv",
        "record_id,source,first_name,last_name,date_of_birth,identity_number\n"
        "1,a,Ana,Pop,2001,rx 123-456\n2,a,Ion,Pop,2002,\n3,a,Ion,Rusu,2003,  \n",
    )
    records = reading.read_csv_files([source]).records.set_index("record_id")
    assert records.loc["1", "identity_number"] == "RX123456"
    assert records.loc["2", "identity_number"] is None
    assert records.loc["3", "identity_number"] is None
    # A file without the column has no identity numbers.
    assert reading.read_csv_files(LABELLED).records["identity_number"].isna().all()


def test_a_bad_identity_number_is_reported_with_its_line_not_its_value(tmp_path, model_file):
    source = write(
        tmp_path / "in.csv",
        "record_id,source,first_name,last_name,date_of_birth,identity_number\n"
        "1,a,Ana,Pop,2001,RX123456\n2,a,Ion,Pop,2002,N/A\n",
    )
    output = tmp_path / "out.csv"
    with pytest.raises(
        CommandError, match=r"in\.csv:3: identity_number: not an identity"
    ) as refused:
        run("--input", str(source), "--output", str(output), "--model", str(model_file))
    assert refused.value.returncode == 2
    assert "N/A" not in str(refused.value)
    assert not output.exists()


def test_bad_rows_may_be_skipped_but_are_still_reported(tmp_path, model_file, capsys):
    rows = [line for path in LABELLED for line in path.read_text().splitlines()[1:]]
    header = "record_id,source,first_name,last_name,date_of_birth,sex,citizenship\n"
    good = [r.replace(";", ",").rsplit(",", 1)[0] if ";" in r else r for r in rows]
    source = write(tmp_path / "in.csv", header + "\n".join(good) + "\nx1,a,Ion,Pop,1990-02-30,,\n")
    output = tmp_path / "out.csv"
    call_command(
        "link_persons", "--input", str(source), "--output", str(output),
        "--model", str(model_file), "--skip-invalid", verbosity=1,
    )  # fmt: skip
    err = capsys.readouterr().err
    assert f"skipped {source}:{len(good) + 2}: date_of_birth" in err
    assert "x1" not in {r["record_id"] for r in read(output)}
    assert len(read(output)) == len(good)


def test_too_few_records_to_train_on_say_so(tmp_path):
    source = write(
        tmp_path / "in.csv",
        "record_id,source,first_name,last_name,date_of_birth\n1,a,Ana,Pop,2001\n2,b,Ana,Pop,2001\n",
    )
    with pytest.raises(CommandError, match="too few to estimate.*--model") as refused:
        run("--input", str(source), "--output", str(tmp_path / "out.csv"))
    assert refused.value.returncode == 2


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--input", "a.csv"], "--output is required"),
        (["--input", "a.csv", "--input", "b.clk.jsonl", "--output", "o.csv"], "not both"),
        (["--output", "o.csv"], "need --input"),
        (["--input", "a.csv", "--output", "o.csv", "--train"], "--train is for the database"),
        (
            ["--input", "a.csv", "--output", "o.csv", "--threshold", "0.4", "--review-from", "0.6"],
            "review-from <= --threshold",
        ),
    ],
)
def test_contradictory_options_exit_with_code_2(args, says):
    with pytest.raises(CommandError, match=says) as refused:
        run(*args)
    assert refused.value.returncode == 2


def test_a_model_saved_before_identity_numbers_were_compared_is_refused(tmp_path, model_file):
    import json

    # What a model file saved before this version looks like: no identity-number comparison.
    data = json.loads(model_file.read_text())
    comparisons = data["splink_settings"]["comparisons"]
    data["splink_settings"]["comparisons"] = [
        c for c in comparisons if c["output_column_name"] != "identity_number"
    ]
    data["settings_hash"] = "0" * 64
    old = write(tmp_path / "old-model.json", json.dumps(data))
    output = tmp_path / "o.csv"
    with pytest.raises(
        CommandError, match="saved before this version of Punte compared identity_number"
    ) as refused:
        run("--input", str(LABELLED[0]), "--output", str(output), "--model", str(old))
    assert refused.value.returncode == 2
    assert not output.exists()


def test_a_model_for_other_comparisons_is_refused(tmp_path):
    other = write(tmp_path / "model.json", '{"format": "punte-linkage-model/1", "spec": "other"}')
    with pytest.raises(CommandError, match="trained for other comparisons") as refused:
        run("--input", str(LABELLED[0]), "--output", str(tmp_path / "o.csv"), "--model", str(other))
    assert refused.value.returncode == 2


@pytest.mark.django_db
def test_without_input_the_database_is_relinked_with_the_given_model(model_file, capsys):
    from punte.identification.persons.models import Person
    from punte.linkage.models import LinkageModel, PersonLink
    from punte.linkage.tests.db_factories import background_persons

    background_persons(120)
    call_command("link_persons", "--model", str(model_file), verbosity=1)
    out = capsys.readouterr()
    assert PersonLink.objects.count() == Person.objects.count() == 120
    assert LinkageModel.objects.get(is_active=True).version == trained_model().version
    assert "relinked 120 records" in out.out
    assert "writing national person identifiers" in out.err  # the progress bar's stages


@pytest.mark.django_db
def test_database_mode_refuses_file_options_and_bands():
    with pytest.raises(CommandError, match="settings") as refused:
        run("--threshold", "0.9")
    assert refused.value.returncode == 2


@pytest.mark.django_db
def test_a_model_trains_on_punte_s_own_records_which_have_no_place_or_phone():
    from punte.linkage.models import LinkageModel, PersonLink
    from punte.linkage.tests.db_factories import background_persons

    background_persons(400, seed=8)
    call_command("link_persons", "--train", verbosity=0)
    stored = LinkageModel.objects.get(is_active=True)
    report = stored.model_json["training_report"]
    # The background persons carry no identity documents.
    assert report["not_observed"] == ["identity_number", "phone", "place_of_birth"]
    assert report["checks"] == ["ok"]
    assert PersonLink.objects.count() == 400
