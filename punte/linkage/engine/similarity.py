"""The similarity join on encoded records: which pairs are worth scoring.

``candidate_pairs(frame)`` compares every pair of records (exact, not approximate: no
blocking on bits, which would cost recall) by the Dice similarity of their filters, counted
with popcounts over 64-bit words, and keeps the pairs that one of the rules below admits,
mirroring the plaintext blocking rules: both names somewhat similar; one name similar and
the same year; the same date; the same family name with a mistyped short given name; the
names crosswise (swapped); the same identity number. It is quadratic: small blocks of rows
against the records after them keep the working set in the processor's cache (this is
memory-bound; 256-row blocks were three times slower). About 35 s of one core for 30,000
records on this machine; for national scale the blocks run partitioned on Spark
(docs/LINKAGE.md).

On the way it finds the groups of records with near-identical name filters (Dice >=
SAME_NAME): the encoded counterpart of "the same name", whose sizes give term frequencies.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from punte.linkage.engine import clk

# Candidate pairs (the similarity join), mirroring the plaintext blocking rules: both names
# similar; one name and the birth filter; birth and other attributes; names swapped.
NAME = 0.55
NAME_LOOSE = 0.4
NAME_HIGH = 0.75
NAME_SHORT = 0.3
BIRTH_EXACT = 0.7
BIRTH_YEAR = 0.3
VARIANT = 0.7
# One identity-number token: the same number leaves Dice about 0.85 after bit flipping, two
# numbers about 0.15 (as the phone, punte.linkage.engine.encoded.SAME_PHONE).
SAME_IDENTITY = 0.6
# Records whose name filters are at least this similar carry "the same name" when counting how
# common a name is (the encoded counterpart of term-frequency adjustment).
SAME_NAME = 0.78
CHUNK = 16  # rows per block of the similarity join


def matrix(frame: pd.DataFrame, group: str) -> tuple[np.ndarray, np.ndarray]:
    words = sorted(
        (c for c in frame.columns if c.startswith(f"{group}_") and c[len(group) + 1 :].isdigit()),
        key=lambda c: int(c[len(group) + 1 :]),
    )
    stacked = np.stack([frame[c].fillna(0).to_numpy(dtype=np.int64) for c in words])
    return stacked.view(np.uint64), frame[f"{group}_pop"].fillna(0).to_numpy(dtype=np.float32)


def pair_dice(words_a, pop_a, words_b, pop_b, rows: np.ndarray, cols: np.ndarray):
    """Dice of filter a of each record in `rows` with filter b of the record in `cols`."""
    inter = np.zeros(len(rows), dtype=np.int32)
    for w in range(words_a.shape[0]):
        inter += np.bitwise_count(words_a[w][rows] & words_b[w][cols])
    denominator = pop_a[rows] + pop_b[cols]
    return np.where(denominator > 0, 2 * inter / np.maximum(denominator, 1), 0.0)


def _intersections(words: np.ndarray, rows: slice, other: np.ndarray | None = None) -> np.ndarray:
    """Common set bits of each row in `rows` with every record from rows.start on.

    Small row blocks keep the working set in the processor's cache, and buffers are reused:
    this is memory-bound, and a 256-row block was three times slower.
    """
    other = words if other is None else other
    start, end = rows.start, rows.stop
    inter = np.zeros((end - start, other.shape[1] - start), dtype=np.uint16)
    scratch = np.empty(inter.shape, dtype=np.uint64)
    counts = np.empty(inter.shape, dtype=np.uint8)
    for w in range(words.shape[0]):
        np.bitwise_and(words[w, start:end, None], other[w, None, start:], out=scratch)
        np.bitwise_count(scratch, out=counts)
        inter += counts
    return inter


def _at_least(inter: np.ndarray, pop_sum: np.ndarray, threshold: float) -> np.ndarray:
    """Dice = 2 * inter / pop_sum >= threshold, in integers (no float matrix)."""
    return inter.astype(np.int32) * 2000 >= pop_sum * round(threshold * 1000)


def candidate_pairs(frame: pd.DataFrame) -> pd.DataFrame:
    """The similarity join: pairs worth scoring, with the Dice of each filter."""
    mats = {}
    for g in clk.GROUPS:
        words, pop = matrix(frame, g)
        mats[g] = (np.ascontiguousarray(words), pop.astype(np.int32))
    n = len(frame)
    chunks: list[pd.DataFrame] = []
    same_name: dict[str, list] = {"first": [], "last": []}
    # The same identity number is a candidate whatever the names say (the plaintext blocking
    # rule on it); most files have none, and then the join does not pay for it.
    joined = ("first", "last", "variant", "birth")
    if mats["identity"][1].any():
        joined += ("identity",)
    for start in range(0, n, CHUNK):
        end = min(n, start + CHUNK)
        rows = slice(start, end)
        inter, pop_sum = {}, {}
        for g in joined:
            words, pop = mats[g]
            inter[g] = _intersections(words, rows)
            pop_sum[g] = np.maximum(pop[start:end, None] + pop[None, start:], 1)
        first_loose = _at_least(inter["first"], pop_sum["first"], NAME_LOOSE)
        last_loose = _at_least(inter["last"], pop_sum["last"], NAME_LOOSE)
        name = _at_least(inter["first"], pop_sum["first"], NAME) | _at_least(
            inter["last"], pop_sum["last"], NAME
        )
        keep = (
            (first_loose & last_loose)
            | (name & _at_least(inter["birth"], pop_sum["birth"], BIRTH_YEAR))
            | _at_least(inter["birth"], pop_sum["birth"], BIRTH_EXACT)
            # Variants of one given name (Elena / Lenuța) and a somewhat similar family name.
            | (_at_least(inter["variant"], pop_sum["variant"], VARIANT) & last_loose)
            # A typo in a short given name (Ion / Iom) under the same family name.
            | (_at_least(inter["last"], pop_sum["last"], NAME_HIGH)
               & _at_least(inter["first"], pop_sum["first"], NAME_SHORT))
        )  # fmt: skip
        if "identity" in inter:
            keep |= _at_least(inter["identity"], pop_sum["identity"], SAME_IDENTITY)
        # Upper triangle only: each pair once, never a record with itself.
        upper = np.arange(start, n)[None, :] > np.arange(start, end)[:, None]
        for g in ("first", "last"):
            i, j = np.nonzero(_at_least(inter[g], pop_sum[g], SAME_NAME) & upper)
            same_name[g].append((start + i, start + j))
        # Swapped names: this record's given name against the other's family name, then the
        # reverse for the few that pass.
        first, first_pop = mats["first"]
        last, last_pop = mats["last"]
        cross = _intersections(first, rows, last)
        cross_ok = _at_least(cross, first_pop[start:end, None] + last_pop[None, start:], NAME)
        i, j = np.nonzero(cross_ok)
        back = pair_dice(last, last_pop, first, first_pop, start + i, start + j) >= NAME
        keep[i[back], j[back]] = True
        keep &= upper
        i, j = np.nonzero(keep)
        left, right = start + i, start + j
        d = {
            g: 2 * inter[g][i, j] / np.maximum(pop_sum[g][i, j], 1)
            for g in ("first", "last", "variant", "birth")
        }
        for g in ("window", "birthday", "other", "phone", "identity"):
            d[g] = pair_dice(*mats[g], *mats[g], left, right)
        chunks.append(
            pd.DataFrame({"left": left, "right": right, **{f"{g}_dice": d[g] for g in clk.GROUPS}})
        )
    pairs = pd.concat(chunks, ignore_index=True)
    ids = frame["unique_id"].to_numpy()
    out = pd.DataFrame(
        {
            "unique_id_l": ids[pairs["left"].to_numpy()],
            "unique_id_r": ids[pairs["right"].to_numpy()],
        }
    )
    for g in clk.GROUPS:
        out[f"{g}_dice"] = pairs[f"{g}_dice"].to_numpy()
    # Found on the way (the join computes every name similarity anyway): groups of records
    # with near-identical name filters, read by derived_columns.
    out.attrs["name_clusters"] = {
        g: components(
            n,
            np.concatenate([a for a, _ in same_name[g]]),
            np.concatenate([b for _, b in same_name[g]]),
        )
        for g in ("first", "last")
    }
    return out


def components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Connected component of each of n records (-1 for records alone)."""
    graph = coo_matrix((np.ones(len(left), dtype=np.int8), (left, right)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    sizes = np.bincount(labels, minlength=n)
    return np.where(sizes[labels] > 1, labels, -1)
