"""The engine without the database: clustering with decisions, training checks, scoring."""

from __future__ import annotations

import copy
import dataclasses
import itertools
import json
import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from splink import Linker
from splink.internals.blocking_rule_creator_utils import to_blocking_rule_creator

from punte.linkage.engine import (
    batch,
    clustering,
    evaluation,
    features,
    generator,
    linking,
    model,
    normalise,
)
from punte.linkage.engine.clustering import Decision


def edges(*rows) -> pd.DataFrame:
    return pd.DataFrame(
        [(a, b, p, conflict) for a, b, p, *rest in rows for conflict in [bool(rest and rest[0])]],
        columns=["unique_id_l", "unique_id_r", "match_probability", "conflict"],
    )


def groups(result: clustering.ClusterResult) -> set[frozenset[str]]:
    by_cluster = result.clusters.groupby("cluster_id")["record_id"]
    return {frozenset(members) for _, members in by_cluster}


# --------------------------------------------------------------------------- clustering


def test_links_above_the_threshold_join_and_the_band_goes_to_review():
    result = clustering.cluster(
        list("abcde"),
        edges(("a", "b", 0.99), ("b", "c", 0.9), ("c", "d", 0.6), ("d", "e", 0.2)),
        threshold=0.8,
        review_from=0.5,
    )
    assert groups(result) == {frozenset("abc"), frozenset("d"), frozenset("e")}
    assert result.review_pairs[["record_id_l", "record_id_r"]].values.tolist() == [["c", "d"]]
    strongest = dict(zip(result.clusters.record_id, result.clusters.match_probability, strict=True))
    assert strongest["a"] == 0.99 and strongest["c"] == 0.9 and pd.isna(strongest["d"])
    assert strongest["b"] == 0.99  # the stronger of its two links


def test_decisions_without_any_pair_in_the_review_band():
    # The case that failed before: decisions given, nothing left to review.
    result = clustering.cluster(
        list("abcd"),
        edges(("a", "b", 0.95)),
        threshold=0.8,
        review_from=0.5,
        decisions=[Decision("c", "d", True), Decision("a", "b", False)],
    )
    assert groups(result) == {frozenset("a"), frozenset("b"), frozenset("cd")}
    assert list(result.review_pairs.columns) == [
        "record_id_l", "record_id_r", "match_probability", "reason",
    ]  # fmt: skip
    assert result.review_pairs.empty


def test_no_edges_at_all():
    result = clustering.cluster(
        ["a", "b"], edges(), threshold=0.8, review_from=0.5, decisions=[Decision("a", "b", True)]
    )
    assert groups(result) == {frozenset("ab")}
    assert result.clusters.set_index("record_id").loc["a", "match_probability"] == 1.0


def test_a_rejection_is_never_crossed_by_a_chain_and_wins_over_acceptances():
    result = clustering.cluster(
        list("abc"),
        edges(("a", "b", 0.99), ("b", "c", 0.98)),
        threshold=0.8,
        review_from=0.5,
        decisions=[Decision("a", "c", False)],
    )
    assert groups(result) == {frozenset("ab"), frozenset("c")}
    contradicted = clustering.cluster(
        list("abc"),
        edges(),
        threshold=0.8,
        review_from=0.5,
        decisions=[Decision("a", "b", True), Decision("b", "c", True), Decision("a", "c", False)],
    )
    assert frozenset("abc") not in groups(contradicted)
    assert contradicted.conflicts  # reported, not silently resolved


def test_decided_pairs_are_not_proposed_again():
    result = clustering.cluster(
        list("ab"),
        edges(("a", "b", 0.6)),
        threshold=0.8,
        review_from=0.5,
        decisions=[Decision("b", "a", False)],
    )
    assert result.review_pairs.empty


def test_a_veto_keeps_namesakes_apart_unless_an_analyst_accepts():
    chain = edges(("a", "b", 0.95), ("b", "c", 0.9))
    vetoed = clustering.cluster(
        list("abc"), chain, threshold=0.8, review_from=0.5, vetoes=[("a", "c")]
    )
    assert groups(vetoed) == {frozenset("ab"), frozenset("c")}
    accepted = clustering.cluster(
        list("abc"),
        chain,
        threshold=0.8,
        review_from=0.5,
        vetoes=[("a", "c")],
        decisions=[Decision("a", "c", True)],
    )
    assert groups(accepted) == {frozenset("abc")}


def test_equal_scores_are_taken_in_the_order_of_the_records_whatever_the_order_of_the_pairs():
    # Which of two equally strong links the veto refuses must not depend on the order in
    # which the scorer (DuckDB, on several threads) happened to return the pairs.
    pairs = [("a", "b", 0.9), ("c", "b", 0.9), ("d", "e", 0.7), ("e", "f", 0.7)]
    found = set()
    for order in itertools.permutations(pairs):
        result = clustering.cluster(
            list("abcdef"), edges(*order), threshold=0.8, review_from=0.5, vetoes=[("a", "c")]
        )
        found.add((frozenset(groups(result)), tuple(map(tuple, result.review_pairs.to_numpy()))))
    assert len(found) == 1
    ((clusters, review),) = found
    assert clusters == {frozenset("ab"), frozenset("c"), *map(frozenset, "def")}
    assert [pair[:2] for pair in review] == [("d", "e"), ("e", "f")]


def test_candidate_groups_are_what_strong_links_and_accepted_pairs_would_join():
    scored = edges(
        ("a", "b", 0.95),
        ("b", "c", 0.9),
        ("d", "e", 0.6),  # below the threshold
        ("e", "f", 0.85, True),  # a conflict, below conflict_link_from
        ("f", "g", 0.99),
        ("h", "i", 0.99995, True),  # a conflict with overwhelming evidence
        ("i", "j", 0.9),
    )
    ids = list("abcdefghijk")

    def found(decisions):
        groups = linking._candidate_groups(ids, scored, 0.8, decisions)
        by_group = pd.Series(ids)[groups >= 0].groupby(groups[groups >= 0])
        return {frozenset(members) for _, members in by_group}

    # Only groups of three or more: a pair is one scored pair already, nothing to veto.
    assert found([]) == {frozenset("abc"), frozenset("hij")}
    accepted = [Decision("c", "d", True), Decision("g", "k", True), Decision("x", "a", True)]
    rejected = [Decision("f", "k", False)]
    assert found(accepted + rejected) == {frozenset("abcd"), frozenset("fgk"), frozenset("hij")}


def test_the_pairs_to_check_are_every_unscored_pair_inside_each_group(monkeypatch):
    monkeypatch.setattr(linking, "MAX_GROUP_FOR_VETOES", 4)
    ids = [f"r{i}" for i in range(12)] + [f"s{i}" for i in range(5)]
    # r3 and r11 are in no group; s0-s4 are five, a group too large to check here.
    groups = np.array([0, 0, 0, -1, 1, 1, 1, 1, 2, 2, 2, -1, 4, 4, 4, 4, 4])
    scored = edges(("r1", "r0", 0.9), ("r4", "r5", 0.9), ("r7", "r6", 0.95))
    pairs, skipped = linking._pairs_to_check(ids, groups, scored)
    expected = {("r0", "r2"), ("r1", "r2")}
    expected |= {("r4", "r6"), ("r4", "r7"), ("r5", "r6"), ("r5", "r7")}
    expected |= {(a, b) for a, b in itertools.combinations(["r10", "r8", "r9"], 2)}
    got = list(zip(pairs["unique_id_l"], pairs["unique_id_r"], strict=True))
    assert len(got) == len(set(got))
    assert set(got) == expected
    assert skipped == 1
    # No group at all (a record alone, or only pairs).
    none, skipped = linking._pairs_to_check(ids, np.full(len(ids), -1), scored)
    assert none.empty and skipped == 0


def test_a_conflict_pair_is_reviewed_not_linked():
    result = clustering.cluster(
        list("ab"), edges(("a", "b", 0.97, True)), threshold=0.8, review_from=0.5
    )
    assert groups(result) == {frozenset("a"), frozenset("b")}
    assert result.review_pairs["reason"].tolist() == ["different given names"]


def test_edges_naming_unknown_records_are_refused():
    with pytest.raises(ValueError, match="not in record_ids"):
        clustering.cluster(["a"], edges(("a", "z", 0.9)), threshold=0.8, review_from=0.5)


# --------------------------------------------------------------------------- training


def records(n: int, seed: int, **blank) -> pd.DataFrame:
    frame = pd.DataFrame(generator.generate(records=n, sources=3, seed=seed).records)
    frame["date_of_birth"] = [normalise.parse_date(d) for d in frame["date_of_birth"]]
    frame["sex"] = [normalise.normalise_sex(s) for s in frame["sex"]]
    frame["citizenship"] = frame["citizenship"].replace("", None)
    frame["identity_number"] = None  # the generator records no identity documents
    for column, value in blank.items():
        frame[column] = value
    return frame


@pytest.fixture(scope="module")
def trained():
    """A model trained on 600 synthetic records, with its prepared features."""
    prepared = features.prepare(records(600, seed=21)[features.RECORD_COLUMNS])
    scorer = linking.Scorer(prepared)
    scorer.close()
    return scorer.model, prepared


def level(settings: dict, comparison: str, label: str) -> dict:
    return model._level(settings, comparison, label)


def test_training_learns_that_agreement_is_evidence_of_a_match(trained):
    trained_model, _ = trained
    settings = trained_model.splink_settings
    assert trained_model.report["checks"] == ["ok"]
    for comparison, label in model.PLAIN.strict_rule.levels:
        top = level(settings, comparison, label)
        assert top["m_probability"] > 10 * top["u_probability"], comparison
    for comparison in ("first_name", "last_name", "date_of_birth"):
        other = model._levels(settings, comparison)[-1]
        assert other["m_probability"] < other["u_probability"], comparison
    prior = settings["probability_two_random_records_match"]
    assert 0 < prior < 0.01
    # Saved with its version and refused for other comparisons.
    assert trained_model.settings_hash == model.PLAIN.settings_hash()


def test_a_model_round_trips_through_its_file(trained, tmp_path):
    trained_model, _ = trained
    trained_model.save(tmp_path / "m.json")
    loaded = model.TrainedModel.load(tmp_path / "m.json", model.PLAIN)
    assert loaded.version == trained_model.version
    assert loaded.splink_settings == trained_model.splink_settings


def test_columns_the_data_never_fills_are_neutral_instead_of_failing():
    # Punte's own records have no place of birth and no phone; these have no identity number.
    frame = records(600, seed=22, place_of_birth="", phone="")
    scorer = linking.Scorer(features.prepare(frame[features.RECORD_COLUMNS]))
    scorer.close()
    report = scorer.model.report
    assert report["not_observed"] == ["identity_number", "phone", "place_of_birth"]
    assert report["checks"] == ["ok"]
    for lv in model._levels(scorer.model.splink_settings, "phone"):
        if not lv.get("is_null_level"):
            assert lv["m_probability"] == lv["u_probability"]


def test_too_few_records_are_refused():
    prepared = features.prepare(records(30, seed=23)[features.RECORD_COLUMNS])
    with pytest.raises(model.ModelTrainingError, match="too few"):
        linking.Scorer(prepared)


def test_a_model_that_learnt_the_wrong_class_is_refused():
    settings = {
        "comparisons": [
            {
                "output_column_name": "first_name",
                "comparison_levels": [
                    {"is_null_level": True, "sql_condition": "first_key_l IS NULL"},
                    {"label_for_charts": "exact", "m_probability": 0.3, "u_probability": 0.2},
                    {"label_for_charts": "else", "m_probability": 0.7, "u_probability": 0.8},
                ],
            }
        ]
    }
    problems, _ = model._check_and_floor(settings, 1000.0, ("first_name",))
    assert any("not evidence for a match" in p for p in problems)


# --------------------------------------------------------------------------- scoring


def test_term_frequencies_of_a_small_table_stay_near_the_model(trained):
    trained_model, prepared = trained
    settings = trained_model.splink_settings
    u = level(settings, "first_name", model.FIRST_EXACT)["u_probability"]
    small = linking.term_frequencies(prepared.head(20), settings)["first_std"]
    large = linking.term_frequencies(prepared, settings)["first_std"]
    # In 20 records a name seen twice has a raw frequency of 0.1; shrunk, it is near u.
    assert small["tf_first_std"].max() < 0.1 * 20 / (20 + linking.TF_PSEUDO_RECORDS) + 2 * u
    # A common name stays more frequent than a rare one.
    assert large["tf_first_std"].max() > large["tf_first_std"].min()


def test_incremental_scoring_finds_the_same_pairs_as_a_full_run(trained):
    trained_model, prepared = trained
    new = prepared.sample(15, random_state=1)
    scorer = linking.Scorer(prepared, model=trained_model)
    try:
        full = scorer.edges(0.5)
        only_new = scorer.edges(0.5, involving=new["unique_id"])
    finally:
        scorer.close()
    ids = set(new["unique_id"])
    expected = full[full["unique_id_l"].isin(ids) | full["unique_id_r"].isin(ids)]

    def pairs(frame):
        return {frozenset(p) for p in zip(frame.unique_id_l, frame.unique_id_r, strict=True)}

    assert pairs(only_new) == pairs(expected)
    assert not expected.empty


def test_link_end_to_end_beats_exact_matching(trained):
    trained_model, prepared = trained
    frame = records(600, seed=21)
    result = linking.link(prepared, model=trained_model)
    truth = dict(zip(frame["record_id"], frame["person_id"], strict=True))
    predicted = dict(zip(result.clusters.record_id, result.clusters.cluster_id, strict=True))
    measured = evaluation.pairwise_scores(predicted, truth)
    assert measured.precision >= 0.9 and measured.recall >= 0.75, measured


def test_a_conflict_pair_with_overwhelming_evidence_is_linked():
    result = clustering.cluster(
        list("abc"),
        edges(("a", "b", 0.99999, True), ("a", "c", 0.97, True)),
        threshold=0.8,
        review_from=0.5,
        conflict_link_from=0.9999,
    )
    assert groups(result) == {frozenset("ab"), frozenset("c")}
    assert result.review_pairs[["record_id_l", "record_id_r"]].values.tolist() == [["a", "c"]]


def _conflicts(trained_model, twins: list[tuple]) -> dict[str, bool]:
    """Whether each of `twins` (records t-b, t-c, ...) is a conflict with the first, t-a,
    scored among 600 other records."""
    frame = records(600, seed=21)[features.RECORD_COLUMNS]
    extra = pd.DataFrame(twins, columns=features.RECORD_COLUMNS)
    prepared = features.prepare(pd.concat([frame, extra], ignore_index=True))
    scorer = linking.Scorer(prepared, model=trained_model)
    others = [row[0] for row in twins[1:]]
    try:
        scored = scorer.score_pairs(
            pd.DataFrame({"unique_id_l": ["t-a"] * len(others), "unique_id_r": others})
        )
    finally:
        scorer.close()
    return dict(zip(scored["unique_id_r"], scored["conflict"], strict=True))


BORN = normalise.parse_date("1990-05-01")


def test_twins_are_a_conflict_even_when_they_share_a_phone(trained):
    trained_model, _ = trained
    conflict = _conflicts(
        trained_model,
        [
            ("t-a", "x", "Andrei", "Popescu", BORN, "m", "RO", "Iasi", "+40 721 000 001", None),
            ("t-b", "y", "Mihai", "Popescu", BORN, "m", "RO", "Iasi", "+40 721 000 001", None),
            ("t-c", "y", "Mihai", "Popescu", BORN, "m", "RO", "Iasi", "+40 721 000 002", None),
        ],
    )
    # Two given names, same family, date and place: twins, to be judged by an analyst. A shared
    # phone proves nothing: siblings share their parents' phone, victims their exploiter's.
    assert conflict == {"t-c": True, "t-b": True}


def test_the_same_identity_number_lifts_the_twins_conflict_and_nothing_less_does(trained):
    trained_model, _ = trained
    phone = "+40 721 000 001"
    conflict = _conflicts(
        trained_model,
        [
            ("t-a", "x", "Andrei", "Popescu", BORN, "m", "RO", "Iasi", phone, "TEST0000017"),
            # One person: the clerk wrote another given name, the number is the same.
            ("t-b", "y", "Mihai", "Popescu", BORN, "m", "RO", "Iasi", phone, "test-000-0017"),
            # Twins: each has a number of their own (even one character apart).
            ("t-c", "y", "Mihai", "Popescu", BORN, "m", "RO", "Iasi", phone, "TEST0000018"),
            ("t-d", "y", "Mihai", "Popescu", BORN, "m", "RO", "Iasi", phone, "TEST9990042"),
            # No number: nothing to prove that the two names are one person.
            ("t-e", "y", "Mihai", "Popescu", BORN, "m", "RO", "Iasi", phone, None),
        ],
    )
    assert conflict == {"t-b": False, "t-c": True, "t-d": True, "t-e": True}


def with_identity_numbers(frame: pd.DataFrame, share: float, seed: int) -> pd.DataFrame:
    """A synthetic identity number (not a real format) for `share` of the persons' records."""
    import random

    rng = random.Random(seed)
    persons = sorted(set(frame["person_id"]))
    numbers = {p: f"TEST{i:07d}" for i, p in enumerate(persons) if rng.random() < share}
    frame = frame.copy()
    frame["identity_number"] = frame["person_id"].map(numbers)
    return frame


def test_the_identity_number_is_trained_from_the_data_and_links_a_renamed_record():
    frame = with_identity_numbers(records(600, seed=24), share=0.5, seed=24)
    scorer = linking.Scorer(features.prepare(frame[features.RECORD_COLUMNS]))
    scorer.close()
    trained_model = scorer.model
    assert "identity_number" not in trained_model.report["not_observed"]
    settings = trained_model.splink_settings
    same = level(settings, "identity_number", model.SAME_IDENTITY_NUMBER)
    other = level(settings, "identity_number", "All other comparisons")
    assert same["m_probability"] > 100 * same["u_probability"]
    assert other["m_probability"] < other["u_probability"]

    # Linked end to end: one person whose second record carries another established given
    # name and a date off by a month, but the same identity number, is one person; twins with
    # numbers of their own are not linked on the model's strength.
    born_again = normalise.parse_date("1990-06-01")
    extra = pd.DataFrame(
        [
            ("t-a", "x", "Andrei", "Popescu", BORN, "m", "RO", "Iasi", "", "TEST9000001"),
            ("t-b", "y", "Mihai", "Popescu", born_again, "m", "RO", "Iasi", "", "TEST9000001"),
            ("t-c", "x", "Elena", "Rusu", BORN, "f", "RO", "Cahul", "", "TEST9000002"),
            ("t-d", "y", "Maria", "Rusu", BORN, "f", "RO", "Cahul", "", "TEST9000003"),
        ],
        columns=features.RECORD_COLUMNS,
    )
    linked = pd.concat([frame[features.RECORD_COLUMNS], extra], ignore_index=True)
    result = linking.link(features.prepare(linked), model=trained_model)
    cluster = dict(zip(result.clusters.record_id, result.clusters.cluster_id, strict=True))
    assert cluster["t-a"] == cluster["t-b"]
    assert cluster["t-c"] != cluster["t-d"]


def test_block_sizes_count_the_pairs_of_each_group_and_leave_out_missing_values():
    frame = pd.DataFrame(
        {
            "a": ["x", "x", "x", "y", "y", None, "z", "x"],
            "b": pd.array([1, 1, 2, 1, 1, 1, None, 1], dtype="Int32"),
        }
    )
    sizes = model.BlockSizes(frame)

    def exact(keys):
        groups = frame.dropna(subset=list(keys)).groupby(list(keys)).size()
        return int((groups * (groups - 1) // 2).sum())

    assert sizes(("a",)) == exact(("a",)) == 6 + 1  # x: 4 records, y: 2
    assert sizes(("b",)) == exact(("b",)) == 15  # 1: 6 records
    assert sizes(("a", "b")) == exact(("a", "b")) == 3 + 1  # (x, 1): 3, (y, 1): 2
    assert sizes(("b", "a")) == sizes(("a", "b"))


def test_block_sizes_agree_with_grouping_on_generated_records():
    prepared = features.prepare(records(2000, seed=7)[features.RECORD_COLUMNS])
    sizes = model.BlockSizes(prepared)
    for rule in model.PLAIN.blocking:
        if rule.sql:
            continue
        for keys in (rule.keys, rule.keys + rule.refine):
            groups = prepared.dropna(subset=list(keys)).groupby(list(keys)).size()
            assert sizes(keys) == int((groups * (groups - 1) // 2).sum()), keys


def splinks_own(scorer: linking.Scorer, threshold: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Splink's own blocking and scoring of the scorer's records, with a linker of its own:
    the blocked pairs (match_key, join_key_l, join_key_r) and the edges."""
    settings = copy.deepcopy(scorer.model.splink_settings)
    settings["blocking_rules_to_generate_predictions"] = [
        to_blocking_rule_creator(rule.splink_rule()).get_blocking_rule("duckdb").as_dict()
        for rule in scorer.blocking
    ]
    linker = Linker(scorer.table, settings, log_level=logging.ERROR)
    for column, table in linking.term_frequencies(scorer.features, settings).items():
        linker.table_management.register_term_frequency_lookup(scorer.db.register(table), column)
    blocked = linker.inference.compute_blocked_pairs_for_predict()
    pairs = blocked.as_pandas_dataframe()[["match_key", "join_key_l", "join_key_r"]]
    blocked.drop_table_from_database_and_remove_from_cache()
    predictions = linker.inference.predict(
        threshold_match_probability=threshold, warning_mode="never"
    )
    # Splink keeps the records' columns out of its predictions; the conflict is read from them.
    columns = [c for c in scorer.features.columns if c != "unique_id"]

    def side(s: str) -> str:
        return ", ".join([f"unique_id AS unique_id_{s}"] + [f'"{c}" AS "{c}_{s}"' for c in columns])

    found = scorer.db.duckdb_con.execute(
        "SELECT p.unique_id_l, p.unique_id_r, p.match_probability, "  # noqa: S608
        f"({linking._conflict_sql(scorer.model, scorer.spec)}) AS conflict "
        f"FROM {predictions.physical_name} AS p "
        f"JOIN (SELECT {side('l')} FROM {scorer.table.physical_name}) AS l USING (unique_id_l) "
        f"JOIN (SELECT {side('r')} FROM {scorer.table.physical_name}) AS r USING (unique_id_r)"
    ).df()
    predictions.drop_table_from_database_and_remove_from_cache()
    return pairs, found


@pytest.mark.parametrize("pairs_per_record_per_rule", [model.PAIRS_PER_RECORD_PER_RULE, 0])
def test_the_blocked_pairs_and_their_scores_are_splinks_own(
    trained, monkeypatch, pairs_per_record_per_rule
):
    # With no budget every rule that can be narrowed is narrowed by all its refine columns.
    monkeypatch.setattr(model, "PAIRS_PER_RECORD_PER_RULE", pairs_per_record_per_rule)
    prepared = features.prepare(records(1500, seed=5)[features.RECORD_COLUMNS])
    scorer = linking.Scorer(prepared, model=trained[0])
    narrowed = [r.keys for r in scorer.blocking] != [r.keys for r in model.PLAIN.blocking]
    assert narrowed == (pairs_per_record_per_rule == 0)
    try:
        con = scorer.db.duckdb_con
        numbered = scorer._blocked_pairs()
        table = scorer._records()
        mine = con.execute(
            "SELECT CAST(p.match_key AS VARCHAR) AS match_key, l.unique_id AS join_key_l, "  # noqa: S608
            f"r.unique_id AS join_key_r FROM {numbered} AS p "
            f"JOIN {table} AS l ON l.{linking._NUMBER} = p.a "
            f"JOIN {table} AS r ON r.{linking._NUMBER} = p.b"
        ).df()
        con.execute(f"DROP TABLE {numbered}")
        edges = scorer.edges(0.1)
        # Nothing of the scoring is left behind but the records.
        assert not con.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_name LIKE '__punte_block%' OR table_name LIKE '__punte_given%'"
        ).fetchall()

        theirs, reference = splinks_own(scorer, 0.1)
        columns = ["match_key", "join_key_l", "join_key_r"]
        assert len(theirs) > 1000
        pd.testing.assert_frame_equal(
            mine.sort_values(columns[1:]).reset_index(drop=True),
            theirs[columns].sort_values(columns[1:]).reset_index(drop=True),
        )
        key = ["unique_id_l", "unique_id_r"]
        assert len(edges) > 100
        pd.testing.assert_frame_equal(
            edges.sort_values(key).reset_index(drop=True),
            reference.sort_values(key).reset_index(drop=True),
            check_exact=True,
        )
        # Given pairs (the vetoes', incremental linking's) are scored the same way, in the
        # order given, below any threshold too.
        given = reference.sample(n=200, random_state=1)[key[::-1]].set_axis(key, axis=1)
        low = splinks_own(scorer, 0.0)[1]
        rescored = scorer.score_pairs(pd.concat([given, low[key].tail(50)]))
        assert (rescored["match_probability"] < 0.1).sum() > 0
        swapped = low.rename(columns={"unique_id_l": "unique_id_r", "unique_id_r": "unique_id_l"})
        expected = pd.concat([swapped, low]).drop_duplicates(key)
        merged = rescored.merge(expected, on=key, suffixes=("", "_splink"), validate="1:1")
        assert len(merged) == len(rescored) == 250
        difference = merged["match_probability"] - merged["match_probability_splink"]
        assert difference.abs().max() < 1e-12
        assert (merged["conflict"] == merged["conflict_splink"]).all()
    finally:
        scorer.close()


def test_a_scorer_keeps_its_own_term_frequencies_beside_another_on_the_same_database(trained):
    frame = records(900, seed=8)[features.RECORD_COLUMNS]
    first, second = features.prepare(frame[:600]), features.prepare(frame[600:])
    db = linking.open_database()
    try:
        scorer = linking.Scorer(first, model=trained[0], db=db)
        before = scorer.edges(0.1)
        linking.Scorer(second, model=trained[0], db=db).edges(0.1)
        after = scorer.edges(0.1)
    finally:
        db.duckdb_con.close()
    key = ["unique_id_l", "unique_id_r"]
    assert len(before) > 50
    pd.testing.assert_frame_equal(
        before.sort_values(key).reset_index(drop=True),
        after.sort_values(key).reset_index(drop=True),
    )


def test_a_spec_without_blocking_rules_or_candidate_pairs_is_refused(trained):
    unblocked = dataclasses.replace(model.PLAIN, blocking=())
    with pytest.raises(ValueError, match="neither blocking rules nor candidates"):
        linking.Scorer(trained[1], spec=unblocked, model=trained[0])


@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_is_paused_for_a_run_and_left_as_it_was(enabled):
    import gc

    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        with pytest.raises(RuntimeError), batch.collection_paused():
            assert not gc.isenabled()
            raise RuntimeError("a run that fails")
        assert gc.isenabled() == enabled
    finally:
        (gc.enable if was else gc.disable)()


def saved_model(trained, tmp_path, change=None) -> Path:
    data = copy.deepcopy(trained[0].as_dict())  # the module's model stays as trained
    if change:
        change(data["splink_settings"])
    path = tmp_path / "model.json"
    path.write_text(json.dumps(data))
    return path


def test_a_saved_model_loads_with_its_parameters(trained, tmp_path):
    loaded = model.TrainedModel.load(saved_model(trained, tmp_path), model.PLAIN)
    assert loaded.splink_settings == trained[0].splink_settings


def settings_of_its_own(settings):
    # Everything but the parameters is taken from the code, whatever the file says.
    level = settings["comparisons"][0]["comparison_levels"][1]
    level["tf_adjustment_weight"] = "1.0 + (SELECT count(*) FROM read_text('/etc/passwd'))"
    level["tf_minimum_u_value"] = "0"
    settings["unique_id_column_name"] = "(SELECT 1)"
    settings["additional_columns_to_retain"] = ["(SELECT 1)"]
    settings["sql_dialect"] = "spark"


def test_a_model_file_gives_its_parameters_and_nothing_else(trained, tmp_path):
    loaded = model.TrainedModel.load(
        saved_model(trained, tmp_path, settings_of_its_own), model.PLAIN
    )
    assert loaded.splink_settings == trained[0].splink_settings


def neutralise_place(settings):
    for comparison in settings["comparisons"]:
        if comparison["output_column_name"] == "place_of_birth":
            for level in comparison["comparison_levels"]:
                level.pop("tf_adjustment_column", None)
                level.pop("tf_adjustment_weight", None)


def test_a_comparison_training_left_neutral_stays_neutral(trained, tmp_path):
    loaded = model.TrainedModel.load(saved_model(trained, tmp_path, neutralise_place), model.PLAIN)
    place = level(loaded.splink_settings, "place_of_birth", "same place")
    assert "tf_adjustment_column" not in place
    assert level(loaded.splink_settings, "first_name", model.FIRST_EXACT)["tf_adjustment_column"]


def inject_sql(settings):
    # What a crafted file could make DuckDB run with the server's access to its files.
    first = settings["comparisons"][0]["comparison_levels"][1]
    first["sql_condition"] += " OR (SELECT count(*) FROM read_text('/etc/passwd')) > 0"


def probability_as_text(settings):
    settings["comparisons"][1]["comparison_levels"][1]["m_probability"] = "0.9"


def prior_of_two(settings):
    settings["probability_two_random_records_match"] = 2


def another_column(settings):
    settings["comparisons"][0]["comparison_levels"][1]["tf_adjustment_column"] = "phone"


def one_level_less(settings):
    settings["comparisons"][2]["comparison_levels"].pop()


def a_zero_probability(settings):
    # Training keeps every probability above zero; Splink would refuse this at every link.
    settings["comparisons"][3]["comparison_levels"][1]["u_probability"] = 0


def no_probability(settings):
    del settings["comparisons"][4]["comparison_levels"][1]["m_probability"]


def not_a_comparison(settings):
    settings["comparisons"][5] = ["not", "a", "comparison"]


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (inject_sql, "a level of 'first_name' differs"),
        (probability_as_text, "m_probability of a level of 'last_name' is not a probability"),
        (prior_of_two, "the prior probability of a match is not a probability"),
        (another_column, "adjusts another column"),
        (one_level_less, "'date_of_birth' has other levels"),
        (a_zero_probability, "u_probability of a level of 'place_of_birth' is not a probability"),
        (no_probability, "m_probability of a level of 'sex' is not a probability"),
        (not_a_comparison, "comparison 'citizenship' is not this version's"),
    ],
)
def test_a_model_file_is_data_and_never_brings_its_own_sql(trained, tmp_path, change, says):
    with pytest.raises(model.ModelMismatchError, match=says):
        model.TrainedModel.load(saved_model(trained, tmp_path, change), model.PLAIN)
