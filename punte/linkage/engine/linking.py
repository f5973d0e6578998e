"""Linking records: train (or load) the model, score candidate pairs, cluster into people.

``link(features, ...)`` is the one call most callers need. The pieces are public for the
database integration (incremental linking, relinking with review decisions):

``Scorer(features, spec=..., model=...)``
    an embedded DuckDB holding the records; ``.model`` (trained on first use unless given),
    ``.edges(review_from)`` scores every pair the blocking rules find, ``.edges(review_from,
    involving=ids)`` only the pairs of some records (incremental linking),
    ``.score_pairs(pairs)`` scores given pairs.
``score_new_records(new, existing, model=...)``
    pairs between new and existing records only, for incremental linking.
``find_vetoes(scorer, ids, edges, ...)``
    pairs inside the groups the links would form that the model calls two people.
``term_frequencies(features, settings)``
    the frequency tables the scorer registers (shrunk towards the model's u).
``clustering.cluster(ids, edges, ...)``
    clusters and review pairs, respecting analysts' decisions and the vetoes.

Edges are a DataFrame ``unique_id_l, unique_id_r, match_probability, conflict``: one row per
scored pair at or above ``review_from`` (lower pairs are never linked nor reviewed).
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import logging
import re
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from splink import Linker
from splink.backends.duckdb import DuckDBAPI
from splink.internals.comparison_vector_values import compute_comparison_vector_values_sql
from splink.internals.misc import threshold_args_to_match_weight
from splink.internals.predict import predict_from_comparison_vectors_sqls_using_settings
from splink.internals.settings_creator import SettingsCreator
from splink.internals.splink_dataframe import SplinkDataFrame

from punte.linkage.engine import batch, clustering
from punte.linkage.engine.model import PLAIN, BlockSizes, ModelSpec, TrainedModel, train

# Link a pair when the model gives it at least this probability of being one person: odds of
# 4 to 1 (the veto below keeps such links from chaining namesakes together). The operating
# point was chosen on one synthetic seed and checked on another seed and on FEBRL4
# (docs/PERFORMANCE.md); it is a decision threshold, not a model weight.
DEFAULT_THRESHOLD = 0.8
# A pair with two different established given names (twins, siblings) is reviewed, not
# linked, unless the model gives it at least this probability: odds of 9,999 to 1 come from
# agreement on everything else (on the seed-1 benchmark 22 of the 23 such pairs are one
# person, while the twins there stay below it).
DEFAULT_CONFLICT_LINK_FROM = 0.9999
# Pairs between this and the threshold go to an analyst.
DEFAULT_REVIEW_FROM = 0.5
# Two groups are kept apart when the model scores a pair between them below this (odds of
# 1 to 99 that they are one person).
DEFAULT_VETO_BELOW = 0.01
# Vetoes are looked for by scoring every pair inside a candidate group up to this size; larger
# chains (rare) are clustered without them.
MAX_GROUP_FOR_VETOES = 300

# The blocking table's own columns, named apart from any feature column.
_NUMBER, _KEY = "__punte_n", "__punte_k"
# A record's column as SQL over a pair names it: l.first_key, "r"."last_cons".
_RULE_COLUMN = re.compile(r'\b"?[lr]"?\."?([A-Za-z_][A-Za-z0-9_]*)"?')

Progress = Callable[[str], None]
logger = logging.getLogger(__name__)


@dataclasses.dataclass
class LinkResult:
    clusters: pd.DataFrame  # record_id, cluster_id, match_probability
    review_pairs: pd.DataFrame  # record_id_l, record_id_r, match_probability, reason
    model: TrainedModel
    conflicts: list[str]
    timings: dict[str, float]
    scored_pairs: int
    vetoes: int


def open_database(
    *, temp_directory: str | Path | None = None, memory_limit: str | None = None
) -> DuckDBAPI:
    """An in-memory DuckDB that spills to `temp_directory` (created private) when needed."""
    connection = duckdb.connect(":memory:")
    if temp_directory is not None:
        path = Path(temp_directory)
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        connection.execute(f"SET temp_directory = '{path.as_posix()}'").fetchall()
    if memory_limit:
        connection.execute(f"SET memory_limit = '{memory_limit}'").fetchall()
    connection.execute("SET preserve_insertion_order = false").fetchall()
    return DuckDBAPI(connection=connection)


def _conflict_sql(model: TrainedModel, spec: ModelSpec) -> str:
    """SQL that is true when a pair falls in the spec's conflict level.

    Splink 5 keeps comparison vectors out of its predictions unless every input column is kept
    too, so the level is recomputed here from the model's own level conditions, in order.
    """
    if spec.conflict_level is None:
        return "FALSE"
    comparison_name, label = spec.conflict_level
    for comparison in model.splink_settings["comparisons"]:
        if comparison["output_column_name"] != comparison_name:
            continue
        cases = []
        for level in comparison["comparison_levels"]:
            condition = level["sql_condition"]
            is_conflict = "TRUE" if level.get("label_for_charts") == label else "FALSE"
            if condition.strip().upper() == "ELSE":
                cases.append(f"ELSE {is_conflict}")
            else:
                cases.append(f"WHEN {condition} THEN {is_conflict}")
        sql = "CASE " + " ".join(cases) + " END"
        if spec.conflict_unless:
            sql = f"({sql}) AND NOT coalesce({spec.conflict_unless}, FALSE)"
        return sql
    raise KeyError(f"conflict level {spec.conflict_level} not in the model")


# Term-frequency adjustment weighs agreement on a rare name more than on a common one, with
# each value's frequency read from the records being linked. In a small table every value
# looks frequent (one in twenty), which would push true pairs into review, so frequencies are
# shrunk towards the model's own u probability (the average chance that two people agree)
# as if this many more records had the average distribution: a handful of records leaves the
# model's weights almost unadjusted, a national table adjusts fully.
TF_PSEUDO_RECORDS = 1000


def _term_frequency_priors(settings: dict) -> dict[str, float]:
    """Column -> u of the first level adjusted on it: its exact match, whose u is the chance
    that two random records agree on that column."""
    prior: dict[str, float] = {}
    for comparison in settings["comparisons"]:
        for level in comparison["comparison_levels"]:
            column = level.get("tf_adjustment_column")
            u = level.get("u_probability")
            if column and column not in prior and isinstance(u, (int, float)) and u > 0:
                prior[column] = float(u)
    return prior


def _smoothed(counts, present: int, u: float, pseudo_records: int = TF_PSEUDO_RECORDS):
    return (counts + pseudo_records * u) / (present + pseudo_records)


def term_frequencies(
    features: pd.DataFrame, settings: dict, *, pseudo_records: int = TF_PSEUDO_RECORDS
) -> dict[str, pd.DataFrame]:
    """For each column the model adjusts by term frequency: value -> smoothed frequency.

    The frame for column c has columns ``c`` and ``tf_c``, as Splink's lookup tables do.
    """
    tables = {}
    for column, u in _term_frequency_priors(settings).items():
        if column not in features.columns:
            continue
        values = features[column].dropna()
        counts = values.value_counts()
        tf = _smoothed(counts, len(values), u, pseudo_records)
        tables[column] = pd.DataFrame({column: counts.index, f"tf_{column}": tf.to_numpy()})
    return tables


@dataclasses.dataclass(frozen=True)
class _ScoringStatement:
    """Splink's own statements that score pairs with a trained model, generated once.

    Splink generates them again on every prediction, parsing each comparison level's SQL,
    which costs more than scoring a few thousand pairs; the trained model does not change, so
    they are generated once per model and spec and kept on the model. Only the first step
    (each pair's two records, from the records table) and the last (the columns the engine
    reads, and the conflict) are ours.
    """

    record_columns: str  # the two records' columns, aliased _l and _r, as Splink selects them
    steps: tuple[tuple[str, str], ...]  # (name, SELECT) from comparison vectors to predictions
    conflict: str
    columns: frozenset[str]  # the records' columns that record_columns reads

    @classmethod
    def of(cls, model: TrainedModel, spec: ModelSpec) -> _ScoringStatement:
        compiled = model.compiled.get(spec)
        if compiled is None:
            settings = copy.deepcopy(model.splink_settings)
            # The conflict is read from the records' columns, so Splink keeps them; it need
            # not keep each comparison's weight.
            settings["retain_matching_columns"] = True
            settings["retain_intermediate_calculation_columns"] = False
            settings["blocking_rules_to_generate_predictions"] = []
            splink_settings = SettingsCreator.from_path_or_dict(settings).get_settings("duckdb")
            steps = [
                (
                    "__splink__df_comparison_vectors",
                    compute_comparison_vector_values_sql(
                        splink_settings._columns_to_select_for_comparison_vector_values
                    ),
                )
            ]
            steps += [
                (step["output_table_name"], step["sql"])
                for step in predict_from_comparison_vectors_sqls_using_settings(splink_settings)
            ]
            record_columns = ", ".join(splink_settings._columns_to_select_for_blocking)
            compiled = cls(
                record_columns=record_columns,
                steps=tuple(steps),
                conflict=_conflict_sql(model, spec),
                columns=frozenset(_RULE_COLUMN.findall(record_columns)),
            )
            model.compiled[spec] = compiled
        return compiled

    def sql(self, pairs: str, records: str, threshold: float | None) -> str:
        """Score `pairs` (a table or subquery of record numbers a, b and a match_key)."""
        blocked = (
            f"SELECT {self.record_columns}, b.match_key FROM {pairs} AS b "  # noqa: S608
            f"JOIN {records} AS l ON l.{_NUMBER} = b.a JOIN {records} AS r ON r.{_NUMBER} = b.b"
        )
        steps = [("__splink__df_blocked", blocked), *self.steps]
        # Splink's own conversion and comparison (its threshold filters on the same sum).
        weight = threshold_args_to_match_weight(threshold, None)
        where = f" WHERE match_weight >= {weight}" if weight is not None else ""
        # Identifiers are ours and Splink's; the SQL is Splink's and the model spec's own.
        return (
            "WITH "  # noqa: S608
            + ", ".join(f"{name} AS ({select})" for name, select in steps)
            + " SELECT unique_id_l, unique_id_r, match_probability, "
            + f"({self.conflict}) AS conflict FROM __splink__df_predict{where}"
        )


class Scorer:
    """The records in an embedded DuckDB, with the model that scores their pairs."""

    def __init__(
        self,
        features: pd.DataFrame,
        *,
        spec: ModelSpec = PLAIN,
        model: TrainedModel | None = None,
        db: DuckDBAPI | None = None,
        seed: int = 1,
        progress: Progress | None = None,
        timings: dict[str, float] | None = None,
    ):
        if not spec.blocking and spec.candidates is None:
            raise ValueError(f"model spec {spec.name!r} has neither blocking rules nor candidates")
        self.spec = spec
        self.db = db or open_database()
        self._say = progress or (lambda message: None)
        self.timings = timings if timings is not None else {}
        self.candidates = None
        if spec.candidates is not None:
            self._say("finding candidate pairs")
            started = time.perf_counter()
            self.candidates = spec.candidates(features)
            self.timings["candidates"] = time.perf_counter() - started
        if spec.derived_columns is not None:
            features = spec.derived_columns(features, self.candidates)
        self.features = features
        if model is None:
            started = time.perf_counter()
            trainer = Linker(self.table, spec.settings_creator(), log_level=logging.ERROR)
            model = train(
                trainer, features, spec, seed=seed, progress=self._say,
                candidates=self.candidates,
            )  # fmt: skip
            self.timings["train"] = time.perf_counter() - started
        self.model = model
        self._block_sizes = BlockSizes(features)
        self.blocking = spec.narrowed_blocking(features, self._block_sizes)
        self._records_table: str | None = None

    @functools.cached_property
    def table(self) -> SplinkDataFrame:
        """The features as Splink's input table (training, incremental candidates)."""
        return self.db.register(self.features)

    def _records(self) -> str:
        """The records with their term frequencies, a number each (in the order of their ids,
        so that "left < right" is the same on numbers) and, for each blocking rule on keys,
        the number of the record's group (NULL where a key is missing); built once."""
        if self._records_table is None:
            ids = self.features["unique_id"].to_numpy()
            order = np.argsort(ids, kind="stable")  # code points: DuckDB's order of UTF-8
            numbers = np.empty(len(ids), dtype=np.int32)
            numbers[order] = np.arange(1, len(ids) + 1, dtype=np.int32)
            extra = {_NUMBER: numbers}
            for i, rule in enumerate(self.blocking):
                if not rule.sql:
                    groups = self._block_sizes.groups(rule.keys)
                    extra[f"{_KEY}{i}"] = pd.arrays.IntegerArray(
                        groups.astype(np.int32), groups < 0
                    )
            # Each record's term frequencies: what term_frequencies' tables give its values.
            for column, u in _term_frequency_priors(self.model.splink_settings).items():
                if column in self.features.columns:
                    codes = self._block_sizes.codes(column)
                    present = codes >= 0
                    counts = np.bincount(codes[present], minlength=1)
                    tf = _smoothed(counts, int(present.sum()), u)[np.where(present, codes, 0)]
                    extra[f"tf_{column}"] = pd.arrays.FloatingArray(tf, ~present)
            # Only the columns the scoring and the rules written in SQL read.
            read = _ScoringStatement.of(self.model, self.spec).columns | {
                column for rule in self.blocking if rule.sql
                for column in _RULE_COLUMN.findall(rule.sql)
            }  # fmt: skip
            columns = {c: self.features[c].array for c in self.features.columns if c in read}
            # The columns as they are (DuckDB reads them once, into its own table).
            frame = pd.DataFrame({**columns, **extra}, copy=False)
            name = f"__punte_records_{uuid.uuid4().hex[:12]}"
            con = self.db.duckdb_con
            con.register(f"{name}_frame", frame)
            try:
                con.execute(f"CREATE TEMP TABLE {name} AS SELECT * FROM {name}_frame")  # noqa: S608
            finally:
                con.unregister(f"{name}_frame")
            self._records_table = name
        return self._records_table

    def candidate_pairs(self, record_ids: Iterable[str]) -> pd.DataFrame:
        """Pairs the blocking rules find that involve at least one of `record_ids`.

        The same rules a full run uses, joined from the given records only (a hash join of a
        few rows against the table), so linking a new record costs in proportion to its
        candidates, not to the database.
        """
        wanted = sorted(set(record_ids))
        if self.candidates is not None:
            pairs = self.candidates[["unique_id_l", "unique_id_r"]]
            keep = pairs["unique_id_l"].isin(wanted) | pairs["unique_id_r"].isin(wanted)
            return pairs[keep].drop_duplicates().reset_index(drop=True)
        if not wanted:
            return pd.DataFrame(columns=["unique_id_l", "unique_id_r"])
        new = self.db.register(pd.DataFrame({"unique_id": wanted}))
        table = self.table.physical_name
        parts = []
        for rule in self.blocking:
            for side in ("l", "r"):
                # Identifiers are Splink's table names; the rules are the model spec's own.
                parts.append(
                    "SELECT l.unique_id AS a, r.unique_id AS b "  # noqa: S608
                    f"FROM {table} AS l JOIN {table} AS r ON ({rule.sql_condition()}) "
                    f"WHERE {side}.unique_id IN (SELECT unique_id FROM {new.physical_name}) "
                    "AND l.unique_id <> r.unique_id"
                )
        sql = (
            "SELECT DISTINCT least(a, b) AS unique_id_l, greatest(a, b) AS unique_id_r "  # noqa: S608
            f"FROM ({' UNION ALL '.join(parts)}) ORDER BY 1, 2"
        )
        try:
            return self.db.duckdb_con.execute(sql).df()
        finally:
            new.drop_table_from_database_and_remove_from_cache(force_non_splink_table=True)

    def _blocked_pairs(self) -> str:
        """A table of the pairs the blocking rules find (record numbers a < b, and the first
        rule that finds each as match_key): the pairs Splink's blocking finds, in a fraction
        of its time. The caller drops it.

        Splink joins the records once per rule, each join excluding the pairs of the rules
        before it, on the rule's text columns. Here a rule on keys joins on the records'
        group numbers (``_records``), and duplicates are removed once, on the numbers.
        """
        records = self._records()
        conditions = [
            rule.sql if rule.sql else f"l.{_KEY}{i} = r.{_KEY}{i}"
            for i, rule in enumerate(self.blocking)
        ]
        joins = " UNION ALL ".join(
            f"SELECT l.{_NUMBER} AS a, r.{_NUMBER} AS b, CAST({i} AS UTINYINT) AS rule "  # noqa: S608
            f"FROM {records} AS l JOIN {records} AS r ON {condition} "
            f"WHERE l.{_NUMBER} < r.{_NUMBER}"
            for i, condition in enumerate(conditions)
        )
        numbered = f"__punte_block_pairs_{uuid.uuid4().hex[:12]}"
        # Identifiers are ours; the rules are the model spec's own SQL.
        self.db.duckdb_con.execute(
            f"CREATE TEMP TABLE {numbered} AS SELECT a, b, min(rule) AS match_key "  # noqa: S608
            f"FROM ({joins}) GROUP BY a, b"
        )
        return numbered

    def _score(self, pairs: str, threshold: float | None = None) -> pd.DataFrame:
        statement = _ScoringStatement.of(self.model, self.spec)
        return self.db.duckdb_con.execute(statement.sql(pairs, self._records(), threshold)).df()

    def edges(self, review_from: float, *, involving: Iterable[str] | None = None) -> pd.DataFrame:
        """Every pair the blocking rules find, scored, keeping those at or above review_from.

        `involving`: only the pairs with at least one of these records (incremental linking).
        """
        self._say("scoring candidate pairs")
        started = time.perf_counter()
        if involving is not None:
            edges = self.score_pairs(self.candidate_pairs(involving))
            edges = edges[edges["match_probability"] >= review_from].reset_index(drop=True)
        elif self.candidates is not None:
            edges = self.score_pairs(self.candidates[["unique_id_l", "unique_id_r"]])
            edges = edges[edges["match_probability"] >= review_from].reset_index(drop=True)
        else:
            pairs = self._blocked_pairs()
            try:
                edges = self._score(pairs, review_from)
            finally:
                self.db.duckdb_con.execute(f"DROP TABLE IF EXISTS {pairs}")
        self.timings["score"] = time.perf_counter() - started
        return edges

    def score_pairs(self, pairs: pd.DataFrame) -> pd.DataFrame:
        """Score given pairs (columns unique_id_l, unique_id_r), blocked or not."""
        if pairs.empty:
            return pd.DataFrame(
                columns=["unique_id_l", "unique_id_r", "match_probability", "conflict"]
            )
        con = self.db.duckdb_con
        records = self._records()
        given = f"__punte_given_pairs_{uuid.uuid4().hex[:12]}"
        con.register(
            given,
            pd.DataFrame(
                {"l": pairs["unique_id_l"].to_numpy(), "r": pairs["unique_id_r"].to_numpy()}
            ),
        )
        numbered = (
            f"(SELECT l.{_NUMBER} AS a, r.{_NUMBER} AS b, 0 AS match_key FROM {given} AS p "  # noqa: S608
            f"JOIN {records} AS l ON l.unique_id = p.l JOIN {records} AS r ON r.unique_id = p.r)"
        )
        try:
            return self._score(numbered)
        finally:
            con.unregister(given)

    def close(self) -> None:
        self.db.duckdb_con.close()


def _candidate_groups(
    ids: Sequence[str],
    edges: pd.DataFrame,
    threshold: float,
    decisions,
    conflict_link_from: float = DEFAULT_CONFLICT_LINK_FROM,
) -> np.ndarray:
    """Groups of three or more records that single linkage at the threshold would form
    (vetoes can only split them): a group number per record, -1 for records in none."""
    index = ids if isinstance(ids, pd.Index) else pd.Index(ids)
    probability = edges["match_probability"]
    linkable = ~edges["conflict"].astype(bool) | (probability >= conflict_link_from)
    strong = edges[(probability >= threshold) & linkable]
    accepted = [(d.record_id_l, d.record_id_r) for d in decisions if d.accepted]
    left = np.concatenate(
        [index.get_indexer(strong["unique_id_l"]), index.get_indexer([a for a, _ in accepted])]
    )
    right = np.concatenate(
        [index.get_indexer(strong["unique_id_r"]), index.get_indexer([b for _, b in accepted])]
    )
    known = (left >= 0) & (right >= 0)  # a decision may name a record not linked now
    graph = coo_matrix(
        (np.ones(int(known.sum())), (left[known], right[known])), shape=(len(ids), len(ids))
    )
    _, labels = connected_components(graph, directed=False)
    # A pair is one scored pair already: nothing inside it to veto.
    return np.where(np.bincount(labels)[labels] > 2, labels, -1)


def _pairs_to_check(
    ids: Sequence[str], groups: np.ndarray, edges: pd.DataFrame
) -> tuple[pd.DataFrame, int]:
    """The pairs inside each group (up to MAX_GROUP_FOR_VETOES records) not scored yet, and
    how many groups were too large."""
    sizes = np.bincount(groups[groups >= 0], minlength=1)
    members = np.flatnonzero((groups >= 0) & (sizes[np.maximum(groups, 0)] <= MAX_GROUP_FOR_VETOES))
    members = members[np.argsort(groups[members], kind="stable")]  # by group, then position
    starts = np.flatnonzero(np.diff(groups[members], prepend=-1))
    lengths = np.diff(np.append(starts, len(members)))
    left, right = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
    for size in np.unique(lengths):
        first = starts[lengths == size][:, None]
        i, j = np.triu_indices(size, 1)
        left.append(members[(first + i).ravel()])
        right.append(members[(first + j).ravel()])
    left, right = np.concatenate(left), np.concatenate(right)
    index = ids if isinstance(ids, pd.Index) else pd.Index(ids)
    scored_l = index.get_indexer(edges["unique_id_l"])
    scored_r = index.get_indexer(edges["unique_id_r"])
    n = len(ids)
    scored = np.minimum(scored_l, scored_r) * n + np.maximum(scored_l, scored_r)
    new = ~np.isin(left * n + right, scored)  # left < right: positions in group order
    named = np.array(ids, dtype=object)
    a, b = named[left[new]], named[right[new]]
    first = a < b  # each pair as (smaller id, larger id)
    pairs = pd.DataFrame(
        {"unique_id_l": np.where(first, a, b), "unique_id_r": np.where(first, b, a)}
    )
    return pairs, int((sizes > MAX_GROUP_FOR_VETOES).sum())


def find_vetoes(
    scorer: Scorer,
    record_ids: Sequence[str],
    edges: pd.DataFrame,
    *,
    threshold: float,
    decisions: Iterable[clustering.Decision] = (),
    veto_below: float = DEFAULT_VETO_BELOW,
    conflict_link_from: float = DEFAULT_CONFLICT_LINK_FROM,
) -> list[tuple[str, str]]:
    """Pairs the model scores as clearly two people inside a group the links would form.

    Single linkage chains namesakes together through one strong link each; scoring every pair
    inside each group that the links (and accepted decisions) would form, and keeping those
    below `veto_below`, lets ``clustering.cluster`` refuse such merges. Call it after
    ``Scorer.edges`` and before clustering, with the same scorer.
    """
    decisions = list(decisions)
    # One index of the records for both steps (and for clustering, when link passes one).
    ids = record_ids if isinstance(record_ids, pd.Index) else pd.Index(record_ids)
    groups = _candidate_groups(ids, edges, threshold, decisions, conflict_link_from)
    pairs, skipped = _pairs_to_check(ids, groups, edges)
    if skipped:
        logger.info("%s candidate groups too large to check for vetoes", skipped)
    checked = scorer.score_pairs(pairs)
    low = checked[checked["match_probability"] < veto_below]
    return list(zip(low["unique_id_l"], low["unique_id_r"], strict=True))


def link(
    features: pd.DataFrame,
    *,
    spec: ModelSpec = PLAIN,
    model: TrainedModel | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    review_from: float = DEFAULT_REVIEW_FROM,
    veto_below: float = DEFAULT_VETO_BELOW,
    decisions: Iterable[clustering.Decision] = (),
    seed: int = 1,
    memory_limit: str | None = None,
    progress: Progress | None = None,
) -> LinkResult:
    """Link `features` (see punte.linkage.engine.features) into clusters of one person each."""
    if not 0 < veto_below <= review_from <= threshold < 1:
        raise ValueError("need 0 < veto_below <= review_from <= threshold < 1")
    decisions = list(decisions)
    timings: dict[str, float] = {}
    say = progress or (lambda message: None)
    ids = pd.Index(features["unique_id"])
    with batch.collection_paused():
        with tempfile.TemporaryDirectory(prefix="punte-linkage-") as spill:
            db = open_database(temp_directory=spill, memory_limit=memory_limit)
            try:
                scorer = Scorer(
                    features, spec=spec, model=model, db=db, seed=seed, progress=say,
                    timings=timings,
                )  # fmt: skip
                edges = scorer.edges(review_from)
                say("checking candidate groups for contrary evidence")
                started = time.perf_counter()
                vetoes = find_vetoes(
                    scorer, ids, edges, threshold=threshold, decisions=decisions,
                    veto_below=veto_below,
                )  # fmt: skip
                timings["veto"] = time.perf_counter() - started
            finally:
                db.duckdb_con.close()
        say("clustering")
        started = time.perf_counter()
        result = clustering.cluster(
            ids,
            edges,
            threshold=threshold,
            review_from=review_from,
            decisions=decisions,
            vetoes=vetoes,
            conflict_link_from=DEFAULT_CONFLICT_LINK_FROM,
        )
        timings["cluster"] = time.perf_counter() - started
    return LinkResult(
        clusters=result.clusters,
        review_pairs=result.review_pairs,
        model=scorer.model,
        conflicts=result.conflicts,
        timings=timings,
        scored_pairs=len(edges),
        vetoes=len(vetoes),
    )


def score_new_records(
    new_features: pd.DataFrame,
    existing_features: pd.DataFrame,
    *,
    model: TrainedModel,
    spec: ModelSpec = PLAIN,
    review_from: float = DEFAULT_REVIEW_FROM,
) -> pd.DataFrame:
    """Pairs between new records and existing ones (and among the new), for incremental runs.

    Both frames must be prepared the same way (pass the whole database's given-name counts to
    ``features.prepare`` for the new records). The result has the same columns as
    ``Scorer.edges``. The blocking rules see all records, so a new record meets the same
    candidates it would meet in a full relink; only those candidates are scored.
    """
    both = pd.concat([existing_features, new_features], ignore_index=True)
    scorer = Scorer(both, spec=spec, model=model)
    try:
        return scorer.edges(review_from, involving=new_features["unique_id"])
    finally:
        scorer.close()


__all__ = [
    "DEFAULT_CONFLICT_LINK_FROM",
    "DEFAULT_REVIEW_FROM",
    "DEFAULT_THRESHOLD",
    "DEFAULT_VETO_BELOW",
    "LinkResult",
    "find_vetoes",
    "Scorer",
    "link",
    "open_database",
    "score_new_records",
    "term_frequencies",
]
