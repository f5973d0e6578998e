"""From scored pairs to people: clustering that respects human decisions.

Records are joined greedily, strongest pair first (single linkage with a union-find), so the
result equals connected components at the threshold unless a constraint intervenes:

* a pair an analyst **accepted** is always joined, whatever its score;
* a pair an analyst **rejected** never ends up in one cluster, not even through a chain of
  other links: a merge that would put two rejected records together is refused, and the
  weaker link that asked for it is skipped;
* a pair flagged as a *conflict* by the model (two different established given names: likely
  twins or siblings) is not joined on its own strength unless its probability reaches
  ``conflict_link_from`` (overwhelming evidence on everything else); such pairs, and pairs in
  the uncertain band, are proposed for review;
* two groups are not merged when the model scores some pair between them below
  ``veto_below`` (strong evidence of two people): one strong link between two namesakes
  must not chain their records together. An analyst's acceptance overrides this.

When decisions contradict each other (A=B and B=C accepted, A≠C rejected), the rejection wins
(two people wrongly merged expose one person's file to another's case; two records wrongly
apart only delay), and the contradiction is reported in ``ClusterResult.conflicts``.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


@dataclasses.dataclass(frozen=True)
class Decision:
    """An analyst's verdict on a pair of records: the same person (accepted) or not."""

    record_id_l: str
    record_id_r: str
    accepted: bool

    @property
    def key(self) -> tuple[str, str]:
        return tuple(sorted((self.record_id_l, self.record_id_r)))  # type: ignore[return-value]


@dataclasses.dataclass
class ClusterResult:
    clusters: pd.DataFrame  # record_id, cluster_id, match_probability
    review_pairs: pd.DataFrame  # record_id_l, record_id_r, match_probability, reason
    conflicts: list[str]


class _UnionFind:
    def __init__(self, n: int):
        self.parent = list(range(n))
        self.size = [1] * n
        self.forbidden: dict[int, set[int]] = {}  # root -> records its members may not join
        self.vetoed: dict[int, set[int]] = {}  # the same, from the model (analysts override)

    def find(self, x: int) -> int:
        parent = self.parent
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def _apart(self, table: dict[int, set[int]], ra: int, rb: int) -> bool:
        # Pairs are recorded on both sides, so checking the smaller set suffices (and a group
        # with none is apart from nobody).
        fa, fb = table.get(ra), table.get(rb)
        if not fa or not fb:
            return False
        check, target = (fa, rb) if len(fa) <= len(fb) else (fb, ra)
        return any(self.find(x) == target for x in check)

    def may_join(self, ra: int, rb: int, *, model_vetoes: bool = True) -> bool:
        if self._apart(self.forbidden, ra, rb):
            return False
        return not (model_vetoes and self._apart(self.vetoed, ra, rb))

    def join(self, ra: int, rb: int) -> int:
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]
        for table in (self.forbidden, self.vetoed):
            moved = table.pop(rb, None)
            if moved:
                table.setdefault(ra, set()).update(moved)
        return ra


def stable_cluster_id(member_ids: Iterable[str]) -> str:
    """A cluster's id derives from its smallest member: unchanged while that member stays."""
    return "C" + hashlib.sha256(min(member_ids).encode()).hexdigest()[:12]


def cluster(
    record_ids: Sequence[str],
    edges: pd.DataFrame,
    *,
    threshold: float,
    review_from: float,
    decisions: Iterable[Decision] = (),
    vetoes: Iterable[tuple[str, str]] = (),
    conflict_link_from: float | None = None,
) -> ClusterResult:
    """`edges`: unique_id_l, unique_id_r, match_probability and a boolean `conflict` column.

    `vetoes` are pairs the model scored as clearly two people (see ``veto_below`` above).
    `conflict_link_from`: a conflict pair at or above this probability is linked like any
    other (None: never).
    """
    positions = record_ids if isinstance(record_ids, pd.Index) else pd.Index(record_ids)
    ids = positions.tolist()
    if not positions.is_unique:
        raise ValueError("record ids must be unique")
    index = dict(zip(ids, range(len(ids)), strict=True))
    uf = _UnionFind(len(ids))
    conflicts: list[str] = []

    decisions = list(decisions)
    decided: dict[tuple[str, str], bool] = {}
    for decision in decisions:
        for rid in (decision.record_id_l, decision.record_id_r):
            if rid not in index:
                conflicts.append(f"decision on unknown record {rid!r} ignored")
        if decision.record_id_l in index and decision.record_id_r in index:
            decided[decision.key] = decision.accepted  # a later decision replaces an earlier
    for (a, b), accepted in decided.items():
        if not accepted:
            ia, ib = index[a], index[b]
            uf.forbidden.setdefault(ia, set()).add(ib)
            uf.forbidden.setdefault(ib, set()).add(ia)
    for a, b in vetoes:
        ia, ib = index.get(a), index.get(b)
        if ia is not None and ib is not None:
            uf.vetoed.setdefault(ia, set()).add(ib)
            uf.vetoed.setdefault(ib, set()).add(ia)
    for (a, b), accepted in decided.items():
        if accepted:
            ra, rb = uf.find(index[a]), uf.find(index[b])
            if ra == rb:
                continue
            if uf.may_join(ra, rb, model_vetoes=False):
                uf.join(ra, rb)
            else:
                conflicts.append(
                    f"accepted pair ({a}, {b}) would join records that a rejected pair keeps "
                    "apart; the rejection was kept"
                )

    left = positions.get_indexer(edges["unique_id_l"])
    right = positions.get_indexer(edges["unique_id_r"])
    unknown = (left < 0) | (right < 0)
    if unknown.any():
        raise ValueError(f"{int(unknown.sum())} scored pairs name records not in record_ids")
    prob = edges["match_probability"].to_numpy(dtype=float)
    conflict = edges["conflict"].to_numpy(dtype=bool) if "conflict" in edges else None
    if conflict is not None and conflict_link_from is not None:
        conflict = conflict & (prob < conflict_link_from)
    linkable = prob >= threshold
    if conflict is not None:
        linkable &= ~conflict
    # Strongest first; equal scores (common: the same evidence gives the same score) in the
    # order of the records, so that the clusters do not depend on the order of the pairs.
    candidates = np.flatnonzero(linkable)
    low = np.minimum(left[candidates], right[candidates])
    high = np.maximum(left[candidates], right[candidates])
    strongest_first = candidates[np.lexsort((high, low, -prob[candidates]))]
    # Where no record has a rejected or vetoed partner, the strongest-first joins make the
    # connected component of the links (and accepted pairs); only the other components need
    # the joins one by one, with their checks.
    joined = np.flatnonzero(np.array(uf.parent) != np.arange(len(ids)))
    graph = coo_matrix(
        (
            np.ones(len(candidates) + len(joined)),
            (
                np.concatenate([left[candidates], joined]),
                np.concatenate([right[candidates], np.array(uf.parent)[joined]]),
            ),
        ),
        shape=(len(ids), len(ids)),
    )
    _, components = connected_components(graph, directed=False)
    constrained = np.zeros(components.max(initial=0) + 1, dtype=bool)
    constrained[components[list({*uf.forbidden, *uf.vetoed})]] = True
    in_question = strongest_first[constrained[components[left[strongest_first]]]]
    find, may_join, join = uf.find, uf.may_join, uf.join
    for a, b in zip(left[in_question].tolist(), right[in_question].tolist(), strict=True):
        ra, rb = find(a), find(b)
        if ra != rb and may_join(ra, rb):
            join(ra, rb)

    roots = np.array(uf.parent, dtype=np.int64)
    while not np.array_equal(roots[roots], roots):  # pointer jumping to each tree's root
        roots = roots[roots]
    roots = np.where(constrained[components], roots, len(ids) + components)
    # A cluster's id comes from its smallest member (see stable_cluster_id).
    by_id = np.argsort(np.array(ids, dtype=object), kind="stable")
    rank = np.empty(len(ids), dtype=np.int64)
    rank[by_id] = np.arange(len(ids))
    smallest = np.full(2 * len(ids), len(ids), dtype=np.int64)
    np.minimum.at(smallest, roots, rank)
    codes, firsts = pd.factorize(smallest[roots])
    cluster_ids = np.array(
        [stable_cluster_id([ids[by_id[first]]]) for first in firsts], dtype=object
    )[codes]

    # The strongest link of each record: its best-scored pair inside its own cluster.
    same = roots[left] == roots[right] if len(edges) else np.zeros(0, dtype=bool)
    strongest = np.full(len(ids), np.nan)
    for side in (left[same], right[same]):
        np.fmax.at(strongest, side, prob[same])  # fmax: NaN (no link yet) yields to a number
    for (a, b), accepted in decided.items():
        ia, ib = index[a], index[b]
        if accepted and roots[ia] == roots[ib]:
            strongest[ia] = strongest[ib] = 1.0

    clusters = pd.DataFrame(
        {
            "record_id": ids,
            "cluster_id": cluster_ids,
            "match_probability": strongest,
        }
    )

    in_band = (prob >= review_from) & ~same
    if conflict is not None:
        in_band &= (prob < threshold) | conflict
    else:
        in_band &= prob < threshold
    review = edges.loc[in_band, ["unique_id_l", "unique_id_r", "match_probability"]].copy()
    review.columns = ["record_id_l", "record_id_r", "match_probability"]
    if conflict is not None:
        review["reason"] = np.where(
            conflict[in_band] & (prob[in_band] >= threshold),
            "different given names",
            "uncertain",
        )
    else:
        review["reason"] = "uncertain"
    if decided and len(review):
        # A boolean mask, not a list: indexing with an empty list would select no columns.
        undecided = np.fromiter(
            (
                tuple(sorted(pair)) not in decided
                for pair in zip(review.record_id_l, review.record_id_r, strict=True)
            ),
            dtype=bool,
            count=len(review),
        )
        review = review[undecided]
    review = review.sort_values(
        ["match_probability", "record_id_l", "record_id_r"], ascending=[False, True, True]
    ).reset_index(drop=True)
    return ClusterResult(clusters=clusters, review_pairs=review, conflicts=conflicts)
