"""Linking encoded records (CLKs, see punte.linkage.engine.clk) without ever seeing plaintext.

The linker receives, per record, an id, a source, how precisely the date of birth is known,
and nine hardened Bloom filters (given name, family name, given name's variant group,
calendar date, day window, birthday, other attributes, phone, identity number). Everything
here works on those bits:

* ``features(files)`` unpacks the filters into 64-bit words (for SQL ``bit_count``) and
  their bit counts;
* ``similarity.candidate_pairs`` (the exact similarity join) chooses the pairs to score;
* ``derived_columns`` adds what training needs: clusters of near-identical name filters
  (their sizes are the term frequencies), crosswise copies of the names (swaps), and
  match-rich groups for the EM passes;
* ``spec(parameters)`` is the Fellegi-Sunter model over Dice similarity levels, with the
  plaintext model's structure (the date levels in its order, the twins' conflict level),
  trained by the same procedure (u from random pairs, m by EM, prior from a strict rule):
  no weight is set by hand;
* ``link_files`` / ``link_encoded`` / ``link_records`` link files, encodings in memory, or
  plaintext records encoded per agency (the benchmark).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import splink.comparison_level_library as cll
import splink.comparison_library as cl

from punte.linkage.engine import clk, linking, similarity
from punte.linkage.engine.features import ESTABLISHED_NAME_COUNT
from punte.linkage.engine.model import (
    DISTINCT_NAMES,
    ModelSpec,
    ModelTrainingError,
    StrictRule,
    TrainedModel,
    TrainingPass,
)
from punte.linkage.engine.similarity import SAME_IDENTITY, candidate_pairs

# The variant filter holds only the given name's variant group: two encodings of one group
# have Dice about 0.9, two different groups about 0.1.
VARIANT = 0.7
# Dice levels of the model. Random bit flipping keeps even identical values a little below 1.
LEVELS = {
    "first": (0.7, 0.6, 0.5),
    "last": (0.7, 0.6, 0.5),
    "other": (0.8, 0.6, 0.45, 0.3),
}
# A year-only (or month-only) date lies inside a full one when this share of its bits is in
# the full date's filter (noise leaves about 0.73 for the same year, 0.3 for the next).
PARTIAL_OVERLAP = 0.55
PARTIAL_LABEL = "one date partly known, inside the other"
# Bit flipping adds about flip x bits ones to every filter whatever it holds, so a filter with
# little in it (sex and citizenship: 8 bits) is half noise: when all it holds is in the other
# record's, about 0.49 of its bits are found there; one attribute differing, about 0.3.
OTHER_CONTAINED = 0.4
OTHER_CONTAINED_LABEL = "fewer attributes known, all of them agree"
# One token with k = 20 in 128 bits: the same number leaves Dice about 0.85 after bit
# flipping, two different numbers about 0.15.
SAME_PHONE = 0.6
EM_NAMES_DICE = 0.78  # near-identical first and last names: the training pass for birth
EM_BIRTH_DICE = 0.7  # near-identical birth filters: the training pass for names and other
EM_BIRTH_SAMPLE = 8000  # records sampled for the birth pass (its join is quadratic)


def _words(bits: int) -> int:
    return bits // 64


def dice_sql(left: str, right: str, words: int) -> str:
    """Dice similarity of two filters stored as 64-bit words (`left`_i_l, `right`_i_r)."""
    inter = " + ".join(
        f"CAST(bit_count({left}_{i}_l & {right}_{i}_r) AS INTEGER)" for i in range(words)
    )
    return f"(2.0 * ({inter}) / ({left}_pop_l + {right}_pop_r))"


def overlap_sql(group: str, words: int) -> str:
    """Share of the smaller filter's bits found in the other: a partial date (year only)
    inside a full one scores high, where Dice, diluted by the full date's extra tokens,
    would not."""
    inter = " + ".join(
        f"CAST(bit_count({group}_{i}_l & {group}_{i}_r) AS INTEGER)" for i in range(words)
    )
    return f"(1.0 * ({inter}) / greatest(least({group}_pop_l, {group}_pop_r), 1))"


def _custom(sql: str, label: str) -> cll.CustomLevel:
    return cll.CustomLevel(sql, label_for_charts=label, base_dialect_str="duckdb")


# The date of birth: one comparison over its three filters (calendar "birth", day "window",
# "birthday"), with levels in the plaintext model's order: one comparison, not three,
# because the filters of one date are not independent evidence. Thresholds sit between the
# Dice values that noise leaves for each case (measured with the default parameters, mean
# and minimum over 100 encodings: same date birth 0.80 / 0.73 and birthday 0.91 / 0.81;
# three days apart window 0.63 / 0.51, six 0.47 / 0.39, nine 0.28; day and month swapped
# birth 0.47 / 0.39, birthday 0.58 / 0.50; same year 0.47 / 0.40; unrelated dates 0.14).
SAME_DATE = 0.7
SAME_BIRTHDAY = 0.75
SWAPPED_BIRTHDAY = 0.45
SWAPPED_YEAR = 0.38
FEW_DAYS = 0.38
WITHIN_A_YEAR = 0.22
# The same day and month a year apart share one pair of years in the calendar filter: Dice
# 0.26 (5th percentile 0.21 over 300 encodings); the same day and month further apart 0.12
# (95th percentile 0.185). With the birthday, this tells "year off by one" (a common
# recording error) from "same birthday" (one person in 365).
NEXT_YEAR = 0.2
PARTIAL_NEXT_YEAR = 0.25
DATE_EXACT = "same date of birth"


def _birth_comparison(words: dict[str, int]) -> cl.CustomComparison:
    birth = dice_sql("birth", "birth", words["birth"])
    window = dice_sql("window", "window", words["window"])
    birthday = dice_sql("birthday", "birthday", words["birthday"])
    levels = [
        cll.NullLevel("birth_pop"),
        _custom(f"{birth} >= {SAME_DATE} AND {birthday} >= {SAME_BIRTHDAY}", DATE_EXACT),
        # How precisely a date is known is in clear in the file (clk.Encoder.encode).
        _custom(
            f"(birth_partial_l OR birth_partial_r) AND {overlap_sql('birth', words['birth'])}"
            f" >= {PARTIAL_OVERLAP}",
            PARTIAL_LABEL,
        ),
        _custom(
            f"{birth} >= {SWAPPED_YEAR} AND {birthday} >= {SWAPPED_BIRTHDAY}"
            f" AND {birthday} < {SAME_BIRTHDAY}",
            "day and month swapped",
        ),
        _custom(f"{window} >= {FEW_DAYS}", "within a week or so"),
        _custom(
            f"{birthday} >= {SAME_BIRTHDAY} AND {birth} >= {NEXT_YEAR}",
            "same birthday, year off by one",
        ),
        _custom(f"{birthday} >= {SAME_BIRTHDAY}", "same birthday, another year"),
        # A year-only date next to a full date a year away share one pair of years.
        _custom(
            f"(birth_partial_l OR birth_partial_r) AND {overlap_sql('birth', words['birth'])}"
            f" >= {PARTIAL_NEXT_YEAR}",
            "one date partly known, a year away",
        ),
        _custom(f"{birth} >= {WITHIN_A_YEAR}", "within a year"),
        cll.ElseLevel(),
    ]
    return cl.CustomComparison(output_column_name="birth", comparison_levels=levels)


def _comparison(group: str, words: int, words_variant: int = 0) -> cl.CustomComparison:
    levels = [cll.NullLevel(f"{group}_pop")]
    if group in ("first", "last"):
        # One name (a cluster of near-identical filters), weighted by how common it is.
        levels.append(
            cll.ExactMatchLevel(f"{group}_cluster", term_frequency_adjustments=True).configure(
                label_for_charts="same name"
            )
        )
    if group == "first":
        variant = dice_sql("variant", "variant", words_variant)
        levels.append(_custom(f"{variant} >= {VARIANT}", "variants of one name"))
    for position, threshold in enumerate(LEVELS[group]):
        levels.append(
            _custom(f"{dice_sql(group, group, words)} >= {threshold}", f"Dice >= {threshold}")
        )
        if group == "other" and position == 1:
            # One record lacks some attributes (no place, no citizenship): all it has agrees.
            levels.append(
                _custom(f"{overlap_sql(group, words)} >= {OTHER_CONTAINED}", OTHER_CONTAINED_LABEL)
            )
    if group in ("first", "last"):
        other = "last" if group == "first" else "first"
        swapped = " OR ".join(
            f"({dice_sql(a, b, words)} >= {LEVELS[group][0]})"
            for a, b in ((group, f"swap_{other}"), (f"swap_{other}", group))
        )
        levels.append(_custom(swapped, "swapped with the other name"))
    if group == "first":
        # As in the plaintext model: two different, well-established given names (twins).
        levels.append(_custom("first_common_l AND first_common_r", DISTINCT_NAMES))
    levels.append(cll.ElseLevel())
    return cl.CustomComparison(output_column_name=group, comparison_levels=levels)


def features(files: list[clk.EncodedFile]) -> pd.DataFrame:
    """One row per encoded record (see the module docstring); refuses duplicate record ids."""
    from punte.linkage.engine.reading import InputError, Problem

    params = clk.EncodingParameters.from_dict(files[0].header["parameters"])
    rows = [row for f in files for row in f.rows]
    seen: dict[str, str] = {}
    problems = []
    for f in files:
        for row in f.rows:
            if row["record_id"] in seen:
                problems.append(
                    Problem(f.path, None, f"record_id {row['record_id']!r} is also in "
                            f"{seen[row['record_id']]} (record ids must be unique)")
                )  # fmt: skip
            seen[row["record_id"]] = f.path
    if problems:
        raise InputError(problems)
    columns: dict[str, object] = {
        "unique_id": [r["record_id"] for r in rows],
        "source": [r["source"] for r in rows],
    }
    for group in clk.GROUPS:
        bits = params.bits[group]
        present = np.array([r.get(group) is not None for r in rows], dtype=bool)
        packed = np.zeros((len(rows), bits // 8), dtype=np.uint8)
        for i, r in enumerate(rows):
            if present[i]:
                packed[i] = np.packbits(clk.unpack(r[group], bits))
        words = packed.view(">u8").astype(np.uint64).view(np.int64)
        for w in range(words.shape[1]):
            columns[f"{group}_{w}"] = _nullable(words[:, w], present, "Int64")
        pop = np.unpackbits(packed, axis=1).sum(axis=1)
        columns[f"{group}_pop"] = _nullable(pop, present, "Int32")
    frame = pd.DataFrame(columns)
    precision = pd.Series([r.get("birth_precision") for r in rows])
    frame["birth_partial"] = pd.array(precision.isin(["month", "year"]).to_numpy(), dtype="boolean")
    frame["em_sample"] = (
        pd.util.hash_pandas_object(frame["unique_id"], index=False).to_numpy() % 10_000
    ).astype("int32")
    frame.attrs["encoding_parameters"] = params.as_dict()
    return frame


def _nullable(values: np.ndarray, present: np.ndarray, dtype: str) -> pd.arrays.IntegerArray:
    return pd.arrays.IntegerArray(np.where(present, values, 0).astype(dtype.lower()), mask=~present)


def derived_columns(frame: pd.DataFrame, candidates: pd.DataFrame | None) -> pd.DataFrame:
    """Columns computed from the encodings and the similarity join.

    ``first_cluster`` / ``last_cluster``: records whose name filters are near-identical; the
    size of a cluster tells a common name from a rare one (term-frequency adjustment).
    ``swap_first_*`` / ``swap_last_*``: copies of the name words, compared crosswise.
    ``em_names_group`` / ``em_birth_group``: match-rich groups for the EM passes.
    """
    frame = frame.copy()
    n = len(frame)
    if candidates is None or "name_clusters" not in candidates.attrs:
        candidates = candidate_pairs(frame)
    n_records = np.arange(n)
    for group in ("first", "last"):
        present = frame[f"{group}_pop"].notna().to_numpy()
        clusters = candidates.attrs["name_clusters"][group]
        # A record alone is a cluster of its own.
        clusters = np.where(clusters >= 0, clusters, n_records + n)
        frame[f"{group}_cluster"] = _nullable(clusters, present, "Int64")
        if group == "first":
            sizes = np.bincount(clusters)[clusters]
            frame["first_common"] = present & (sizes >= ESTABLISHED_NAME_COUNT)
        for column in [c for c in frame.columns if c.startswith(f"{group}_")]:
            suffix = column[len(group) + 1 :]
            if suffix.isdigit() or suffix == "pop":
                frame[f"swap_{group}_{suffix}"] = frame[column]
    position = {rid: i for i, rid in enumerate(frame["unique_id"])}
    if candidates is not None and len(candidates):
        close = candidates[
            (candidates["first_dice"] >= EM_NAMES_DICE) & (candidates["last_dice"] >= EM_NAMES_DICE)
        ]
        groups = similarity.components(
            n,
            close["unique_id_l"].map(position).to_numpy(),
            close["unique_id_r"].map(position).to_numpy(),
        )
    else:
        groups = np.full(n, -1)
    frame["em_names_group"] = _nullable(groups, groups >= 0, "Int64")

    birth, birth_pop = similarity.matrix(frame, "birth")
    sample = np.nonzero(
        frame["birth_pop"].notna().to_numpy()
        & (frame["em_sample"].to_numpy() < 10_000 * min(1.0, EM_BIRTH_SAMPLE / max(n, 1)))
    )[0]
    left, right = [], []
    for start in range(0, len(sample), similarity.CHUNK):
        rows = sample[start : start + similarity.CHUNK]
        inter = np.zeros((len(rows), len(sample)), dtype=np.uint16)
        for w in range(birth.shape[0]):
            inter += np.bitwise_count(birth[w][rows][:, None] & birth[w][sample][None, :])
        dice = 2 * inter / np.maximum(birth_pop[rows][:, None] + birth_pop[sample][None, :], 1)
        i, j = np.nonzero(dice >= EM_BIRTH_DICE)
        keep = sample[j] > rows[i]
        left.append(rows[i][keep])
        right.append(sample[j][keep])
    groups = similarity.components(
        n,
        np.concatenate(left) if left else np.zeros(0, dtype=np.int64),
        np.concatenate(right) if right else np.zeros(0, dtype=np.int64),
    )
    frame["em_birth_group"] = _nullable(groups, groups >= 0, "Int64")
    return frame


def _strict_count(features: pd.DataFrame, candidates: pd.DataFrame | None) -> int:
    """Pairs with the same first and last name clusters and near-identical birth filters."""
    if candidates is None or candidates.empty:
        return 0
    frame = features.set_index("unique_id")
    same = np.ones(len(candidates), dtype=bool)
    for group in ("first", "last"):
        cluster = frame[f"{group}_cluster"]
        same &= (
            cluster.reindex(candidates["unique_id_l"]).to_numpy()
            == cluster.reindex(candidates["unique_id_r"]).to_numpy()
        )
    strict = same & (np.nan_to_num(candidates["birth_dice"].to_numpy()) >= SAME_DATE)
    return int(strict.sum())


def spec(parameters: dict) -> ModelSpec:
    """The encoded model for filters made with these encoding parameters."""
    params = clk.EncodingParameters.from_dict(parameters)
    words = {g: _words(params.bits[g]) for g in clk.GROUPS}

    def comparisons() -> list:
        return [
            _comparison("first", words["first"], words["variant"]),
            _comparison("last", words["last"]),
            _birth_comparison(words),
            _comparison("other", words["other"]),
            cl.CustomComparison(
                output_column_name="phone",
                comparison_levels=[
                    cll.NullLevel("phone_pop"),
                    _custom(
                        f"{dice_sql('phone', 'phone', words['phone'])} >= {SAME_PHONE}",
                        "same number",
                    ),
                    cll.ElseLevel(),
                ],
            ),
            cl.CustomComparison(
                output_column_name="identity",
                comparison_levels=[
                    cll.NullLevel("identity_pop"),
                    _custom(f"{same_identity} >= {SAME_IDENTITY}", "same identity number"),
                    cll.ElseLevel(),
                ],
            ),
        ]

    same_identity = dice_sql("identity", "identity", words["identity"])
    return ModelSpec(
        name="encoded",
        version=1,
        comparisons=comparisons,
        blocking=(),
        training_passes=(
            # Near-identical first and last names: mostly one person; trains the birth filter
            # (the "other" filter, which depends on nationality like the names, is left out).
            # The phone stays: with the date alone EM cannot tell how many pairs are matches
            # and sets m = 0 on the date levels where matches are rarest (docs/PERFORMANCE.md).
            TrainingPass(keys=("em_names_group",), exclude=("first_pop", "last_pop", "other_pop")),
            # Near-identical dates of birth, unrelated to names: trains names and other (the
            # birthday follows from the date, so it is left out too).
            TrainingPass(keys=("em_birth_group",), exclude=("birth_pop",)),
        ),
        strict_rule=StrictRule(
            columns=("first_cluster", "last_cluster"),
            levels=(
                ("first", "same name"),
                ("last", "same name"),
                ("birth", DATE_EXACT),
            ),
            null_columns=("first_pop", "last_pop", "birth_pop"),
            count=_strict_count,
        ),
        identifying=("first", "last", "birth"),
        conflict_level=("first", DISTINCT_NAMES),
        # As in the plaintext model: twins never share an identity number (a shared phone
        # proves nothing).
        conflict_unless=f"{same_identity} >= {SAME_IDENTITY}",
        candidates=candidate_pairs,
        derived_columns=derived_columns,
    )


# --------------------------------------------------------------------------- linking


def read_files(paths) -> list[clk.EncodedFile]:
    """Read encoded files and check that they can be compared (same parameters and secret)."""
    files = [clk.read_jsonl(path) for path in paths]
    clk.check_compatible(files)
    return files


def link_encoded(
    files: list[clk.EncodedFile],
    *,
    model: TrainedModel | None = None,
    model_path: str | Path | None = None,
    progress: Callable[[str], None] | None = None,
    **options,
) -> linking.LinkResult:
    """Link encoded records (from files, or encoded in memory) into persons.

    `model`/`model_path`: a model trained on encodings made with the same parameters (its
    comparisons depend on the filter sizes); otherwise one is trained on these records.
    Other options go to ``linking.link`` (threshold, review_from, memory_limit).
    """
    clk.check_compatible(files)
    parameters = files[0].header["parameters"]
    model_spec = spec(parameters)
    if model is None and model_path is not None:
        model = TrainedModel.load(model_path, model_spec)
    frame = features(files)
    try:
        return linking.link(frame, spec=model_spec, model=model, progress=progress, **options)
    except ModelTrainingError as exc:
        # A refusal of the input (a ValueError, exit code 2 in the commands), not a crash.
        raise clk.EncodingError(
            f"{exc}; link these encodings with a model trained on more encoded records "
            "(--model FILE, saved with --save-model from a larger run with the same secret)"
        ) from exc


def link_files(paths, **options) -> linking.LinkResult:
    """``link_persons --input A.clk.jsonl --input B.clk.jsonl``: see link_encoded."""
    return link_encoded(read_files(paths), **options)


def encode_in_memory(
    records: list[dict],
    secret: bytes,
    *,
    name: str,
    parameters: clk.EncodingParameters | None = None,
) -> clk.EncodedFile:
    """Encode records as an agency would (names oriented within this set of records)."""
    encoder = clk.Encoder(secret, parameters)
    rows = [encoder.encode(record) for record in clk.prepare_records(records)]
    return clk.EncodedFile(path=name, header=encoder.header(len(rows)), rows=rows)


def link_records(records: pd.DataFrame, secret: bytes, **options) -> linking.LinkResult:
    """Encode each source's records as that agency would, then link the encodings.

    For the benchmark (bench/linkage): the same records as the plaintext arm, with the
    errors of their agencies; every agency orients names within its own file only.
    """
    files = [
        encode_in_memory(group.to_dict("records"), secret, name=str(source))
        for source, group in records.groupby("source", sort=True)
    ]
    return link_encoded(files, **options)
