"""Pairwise precision, recall and F1 of a clustering against the ground truth.

Two records form a predicted pair when they share a cluster, a true pair when they belong to the
same person. Counting pairs (not clusters) is what the issue's targets use; it punishes merging
two large clusters more than splitting a small one, as double counting in statistics does.
"""

from __future__ import annotations

import dataclasses

import pandas as pd


@dataclasses.dataclass(frozen=True)
class PairwiseScores:
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int

    @property
    def precision(self) -> float:
        return self.correct_pairs / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.correct_pairs / self.true_pairs if self.true_pairs else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _pairs(sizes: pd.Series) -> int:
    return int((sizes * (sizes - 1) // 2).sum())


def pairwise_scores(
    predicted: dict[str, str] | pd.Series, truth: dict[str, str] | pd.Series
) -> PairwiseScores:
    """`predicted` maps record id -> cluster id, `truth` record id -> entity id (same keys)."""
    frame = pd.DataFrame({"cluster": pd.Series(predicted), "entity": pd.Series(truth)})
    if frame.isna().any().any():
        missing = frame[frame.isna().any(axis=1)].index[:5].tolist()
        raise ValueError(f"records missing from the clustering or the truth, e.g. {missing}")
    return PairwiseScores(
        true_pairs=_pairs(frame.groupby("entity").size()),
        predicted_pairs=_pairs(frame.groupby("cluster").size()),
        correct_pairs=_pairs(frame.groupby(["cluster", "entity"]).size()),
    )


def true_pairs_from_truth(truth: dict[str, str] | pd.Series) -> pd.DataFrame:
    """All (id_l, id_r) pairs of records of the same entity, id_l < id_r."""
    frame = pd.Series(truth).rename("entity").rename_axis("id").reset_index()
    merged = frame.merge(frame, on="entity", suffixes=("_l", "_r"))
    return merged.loc[merged["id_l"] < merged["id_r"], ["id_l", "id_r"]].reset_index(drop=True)
