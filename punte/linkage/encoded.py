"""Linking encoded records (CLKs, see punte.linkage.clk) without ever seeing plaintext.

The linker receives, per record, an id, a source and three hardened Bloom filters (names,
birth, other). Everything here works on those bits:

* ``features(files)`` unpacks the filters into 64-bit words (for SQL ``bit_count``) and
  their bit counts;
* ``candidate_pairs(features)`` is a similarity join: every pair whose names are similar
  (Dice >= NAMES_ALONE), or whose names are somewhat similar and dates of birth, or the
  other attributes, similar (the thresholds below). It is exact, not approximate, and costs
  n^2/2 bit comparisons: about a minute for 30,000 records on two cores; for national scale
  the same join runs on Spark, or agencies add keyed blocking tokens (docs/LINKAGE.md);
* ``spec(parameters)`` is the Fellegi-Sunter model over Dice similarity levels, trained by
  the same procedure as the plaintext model (u from random pairs, m by EM, prior from strict
  agreement), so the weights of each similarity band come from the data, not from us. EM
  needs match-rich blocks: groups of records with near-identical names (from the similarity
  join) and groups with near-identical birth filters (from a sample of records), see
  ``training_columns``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import splink.comparison_level_library as cll
import splink.comparison_library as cl

from punte.linkage import clk
from punte.linkage.features import ESTABLISHED_NAME_COUNT
from punte.linkage.model import DISTINCT_NAMES, ModelSpec, StrictRule, TrainingPass

# Candidate pairs (the similarity join), mirroring the plaintext blocking rules: both names
# similar; one name and the birth filter; birth and other attributes; names swapped.
NAME = 0.55
NAME_LOOSE = 0.4
BIRTH_EXACT = 0.8
BIRTH_YEAR = 0.3
OTHER = 0.5
# Records whose name filters are at least this similar carry "the same name" when counting how
# common a name is (the encoded counterpart of term-frequency adjustment).
SAME_NAME = 0.9
CHUNK = 256
# Dice levels of the model. Random bit flipping keeps even identical values a little below 1.
LEVELS = {
    "first": (0.8, 0.7, 0.6, 0.5),
    "last": (0.8, 0.7, 0.6, 0.5),
    "birth": (0.8, 0.6, 0.45, 0.3, 0.15),
    "other": (0.8, 0.6, 0.45, 0.3),
}
PARTIAL_BIRTH = 0.3  # the level at which a partial date can agree with a full one
EM_NAMES_DICE = 0.85  # near-identical first and last names: the training pass for birth
EM_BIRTH_DICE = 0.8  # near-identical birth filters: the training pass for names and other
EM_BIRTH_SAMPLE = 8000  # records sampled for the birth pass (its join is quadratic)


def _words(bits: int) -> int:
    return bits // 64


def dice_sql(left: str, right: str, words: int) -> str:
    """Dice similarity of two filters stored as 64-bit words (`left`_i_l, `right`_i_r)."""
    inter = " + ".join(
        f"CAST(bit_count({left}_{i}_l & {right}_{i}_r) AS INTEGER)" for i in range(words)
    )
    return f"(2.0 * ({inter}) / ({left}_pop_l + {right}_pop_r))"


def _custom(sql: str, label: str) -> cll.CustomLevel:
    return cll.CustomLevel(sql, label_for_charts=label, base_dialect_str="duckdb")


def _comparison(group: str, words: int) -> cl.CustomComparison:
    levels = [cll.NullLevel(f"{group}_pop")]
    if group in ("first", "last"):
        # One name (a cluster of near-identical filters), weighted by how common it is.
        levels.append(
            cll.ExactMatchLevel(f"{group}_cluster", term_frequency_adjustments=True).configure(
                label_for_charts="same name"
            )
        )
    for threshold in LEVELS[group]:
        levels.append(
            _custom(f"{dice_sql(group, group, words)} >= {threshold}", f"Dice >= {threshold}")
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
    from punte.linkage.reading import InputError, Problem

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


def _matrix(frame: pd.DataFrame, group: str) -> tuple[np.ndarray, np.ndarray]:
    words = sorted(
        (c for c in frame.columns if c.startswith(f"{group}_") and c[len(group) + 1 :].isdigit()),
        key=lambda c: int(c[len(group) + 1 :]),
    )
    stacked = np.stack([frame[c].fillna(0).to_numpy(dtype=np.int64) for c in words])
    return stacked.view(np.uint64), frame[f"{group}_pop"].fillna(0).to_numpy(dtype=np.float32)


def _pair_dice(words: np.ndarray, pop: np.ndarray, rows: np.ndarray, cols: np.ndarray):
    inter = np.zeros(len(rows), dtype=np.uint16)
    for w in range(words.shape[0]):
        inter += np.bitwise_count(words[w][rows] & words[w][cols])
    denominator = pop[rows] + pop[cols]
    return np.where(denominator > 0, 2 * inter / np.maximum(denominator, 1), 0.0)


def candidate_pairs(frame: pd.DataFrame) -> pd.DataFrame:
    """The similarity join: pairs worth scoring, with the Dice of each filter."""
    mats = {g: _matrix(frame, g) for g in clk.GROUPS}
    n = len(frame)
    chunks: list[pd.DataFrame] = []
    for start in range(0, n, CHUNK):
        end = min(n, start + CHUNK)
        block = {}
        for g in ("first", "last", "birth"):
            words, pop = mats[g]
            inter = np.zeros((end - start, n), dtype=np.uint16)
            for w in range(words.shape[0]):
                inter += np.bitwise_count(words[w][start:end, None] & words[w][None, :])
            block[g] = 2 * inter / np.maximum(pop[start:end, None] + pop[None, :], 1)
        # Cheap necessary condition first: every rule needs some similarity of names or birth.
        keep = (
            ((block["first"] >= NAME_LOOSE) & (block["last"] >= NAME_LOOSE))
            | ((block["first"] >= NAME) | (block["last"] >= NAME)) & (block["birth"] >= BIRTH_YEAR)
            | (block["birth"] >= BIRTH_EXACT)
        )
        keep[:, :end] &= np.arange(end)[None, :] > np.arange(start, end)[:, None]
        rows, cols = np.nonzero(keep)
        d = {g: block[g][rows, cols] for g in block}
        left = start + rows
        d["other"] = _pair_dice(*mats["other"], left, cols)
        chosen = (
            ((d["first"] >= NAME) & (d["last"] >= NAME))
            | ((d["last"] >= NAME) & (d["birth"] >= BIRTH_YEAR))
            | ((d["first"] >= NAME) & (d["birth"] >= BIRTH_EXACT))
            | ((d["birth"] >= BIRTH_EXACT) & (d["other"] >= OTHER))
            | ((d["first"] >= NAME_LOOSE) & (d["last"] >= NAME_LOOSE)
               & ((d["birth"] >= BIRTH_YEAR) | (d["other"] >= OTHER)))
        )  # fmt: skip
        chunks.append(
            pd.DataFrame(
                {
                    "left": left[chosen],
                    "right": cols[chosen],
                    **{f"{g}_dice": d[g][chosen] for g in clk.GROUPS},
                }
            )
        )
    # Swapped names: the plaintext rule "first = other's last and last = other's first".
    first, first_pop = mats["first"]
    last, last_pop = mats["last"]
    for start in range(0, n, CHUNK):
        end = min(n, start + CHUNK)
        inter = np.zeros((end - start, n), dtype=np.uint16)
        for w in range(first.shape[0]):
            inter += np.bitwise_count(first[w][start:end, None] & last[w][None, :])
        cross = 2 * inter / np.maximum(first_pop[start:end, None] + last_pop[None, :], 1)
        rows, cols = np.nonzero(cross >= NAME)
        left = start + rows
        inter_b = np.zeros(len(rows), dtype=np.uint16)
        for w in range(first.shape[0]):
            inter_b += np.bitwise_count(last[w][left] & first[w][cols])
        denominator = last_pop[left] + first_pop[cols]
        back = 2 * inter_b / np.maximum(denominator, 1)
        chosen = (back >= NAME) & (left != cols)
        a, b = np.minimum(left, cols)[chosen], np.maximum(left, cols)[chosen]
        chunks.append(pd.DataFrame({"left": a, "right": b}))
    pairs = pd.concat(chunks, ignore_index=True).drop_duplicates(["left", "right"])
    ids = frame["unique_id"].to_numpy()
    out = pd.DataFrame(
        {
            "unique_id_l": ids[pairs["left"].to_numpy()],
            "unique_id_r": ids[pairs["right"].to_numpy()],
        }
    )
    for g in clk.GROUPS:
        out[f"{g}_dice"] = pairs.get(f"{g}_dice", pd.Series(np.nan, index=pairs.index)).to_numpy()
    return out


def _components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Connected component of each of n records (-1 for records alone)."""
    parent = np.arange(n)

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in zip(left.tolist(), right.tolist(), strict=True):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb
    roots = np.array([find(i) for i in range(n)])
    sizes = np.bincount(roots, minlength=n)
    return np.where(sizes[roots] > 1, roots, -1)


def _name_clusters(frame: pd.DataFrame, group: str) -> np.ndarray:
    """Near-identical filters of one name field grouped (for term frequencies).

    Computed within records sharing the filter's bit count +- a few (identical names differ
    only by noise), so the join stays small.
    """
    words, pop = _matrix(frame, group)
    n = len(frame)
    present = frame[f"{group}_pop"].notna().to_numpy()
    order = np.argsort(pop, kind="stable")
    left, right = [], []
    window = 64
    for start in range(0, n, window):
        rows = order[start : start + window]
        rows = rows[present[rows]]
        if len(rows) == 0:
            continue
        low, high = pop[rows].min() * SAME_NAME / (2 - SAME_NAME), pop[rows].max() / SAME_NAME * 2
        cols = order[np.searchsorted(pop[order], low) : np.searchsorted(pop[order], high, "right")]
        cols = cols[present[cols]]
        inter = np.zeros((len(rows), len(cols)), dtype=np.uint16)
        for w in range(words.shape[0]):
            inter += np.bitwise_count(words[w][rows][:, None] & words[w][cols][None, :])
        dice = 2 * inter / np.maximum(pop[rows][:, None] + pop[cols][None, :], 1)
        i, j = np.nonzero(dice >= SAME_NAME)
        keep = rows[i] != cols[j]
        left.append(rows[i][keep])
        right.append(cols[j][keep])
    clusters = _components(
        n,
        np.concatenate(left) if left else np.zeros(0, dtype=np.int64),
        np.concatenate(right) if right else np.zeros(0, dtype=np.int64),
    )
    return np.where(clusters >= 0, clusters, np.arange(n) + n)


def derived_columns(frame: pd.DataFrame, candidates: pd.DataFrame | None) -> pd.DataFrame:
    """Columns computed from the encodings and the similarity join.

    ``first_cluster`` / ``last_cluster``: records whose name filters are near-identical; the
    size of a cluster tells a common name from a rare one (term-frequency adjustment).
    ``swap_first_*`` / ``swap_last_*``: copies of the name words, compared crosswise.
    ``em_names_group`` / ``em_birth_group``: match-rich groups for the EM passes.
    """
    frame = frame.copy()
    n = len(frame)
    for group in ("first", "last"):
        present = frame[f"{group}_pop"].notna().to_numpy()
        clusters = _name_clusters(frame, group)
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
        groups = _components(
            n,
            close["unique_id_l"].map(position).to_numpy(),
            close["unique_id_r"].map(position).to_numpy(),
        )
    else:
        groups = np.full(n, -1)
    frame["em_names_group"] = _nullable(groups, groups >= 0, "Int64")

    birth, birth_pop = _matrix(frame, "birth")
    sample = np.nonzero(
        frame["birth_pop"].notna().to_numpy()
        & (frame["em_sample"].to_numpy() < 10_000 * min(1.0, EM_BIRTH_SAMPLE / max(n, 1)))
    )[0]
    left, right = [], []
    for start in range(0, len(sample), CHUNK):
        rows = sample[start : start + CHUNK]
        inter = np.zeros((len(rows), len(sample)), dtype=np.uint16)
        for w in range(birth.shape[0]):
            inter += np.bitwise_count(birth[w][rows][:, None] & birth[w][sample][None, :])
        dice = 2 * inter / np.maximum(birth_pop[rows][:, None] + birth_pop[sample][None, :], 1)
        i, j = np.nonzero(dice >= EM_BIRTH_DICE)
        keep = sample[j] > rows[i]
        left.append(rows[i][keep])
        right.append(sample[j][keep])
    groups = _components(
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
    strict = same & (np.nan_to_num(candidates["birth_dice"].to_numpy()) >= LEVELS["birth"][0])
    return int(strict.sum())


def spec(parameters: dict) -> ModelSpec:
    """The encoded model for filters made with these encoding parameters."""
    params = clk.EncodingParameters.from_dict(parameters)
    words = {g: _words(params.bits[g]) for g in clk.GROUPS}

    def comparisons() -> list:
        return [_comparison(g, words[g]) for g in clk.GROUPS]

    return ModelSpec(
        name="encoded",
        version=1,
        comparisons=comparisons,
        blocking=(),
        training_passes=(
            # Near-identical first and last names: mostly one person; trains the birth filter
            # (the "other" filter, which depends on nationality like the names, is left out).
            TrainingPass(keys=("em_names_group",), exclude=("first_pop", "last_pop", "other_pop")),
            # Near-identical dates of birth, unrelated to names: trains names and other.
            TrainingPass(keys=("em_birth_group",), exclude=("birth_pop",)),
        ),
        strict_rule=StrictRule(
            columns=("first_cluster", "last_cluster"),
            levels=(
                ("first", "same name"),
                ("last", "same name"),
                ("birth", f"Dice >= {LEVELS['birth'][0]}"),
            ),
            null_columns=("first_pop", "last_pop", "birth_pop"),
            count=_strict_count,
        ),
        identifying=("first", "last", "birth"),
        conflict_level=("first", DISTINCT_NAMES),
        candidates=candidate_pairs,
        derived_columns=derived_columns,
    )
