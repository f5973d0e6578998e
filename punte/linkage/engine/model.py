"""The probabilistic linkage model: what is compared, how pairs are found, how it is trained.

A ``ModelSpec`` describes a Fellegi-Sunter model in Splink terms: the comparisons (each a list
of levels from "agrees exactly" to "disagrees"), the blocking rules that choose which pairs
are scored, and the training plan. Nothing here holds a weight: every m and u probability and
the prior are estimated from the data being linked by ``train``:

1. u probabilities (how often two *different* people agree at each level) from random pairs
   (``estimate_u_using_random_sampling``).
2. m probabilities (how often records of the *same* person agree) by expectation
   maximisation on several blocking passes (``TrainingPass``). A pass blocks on some columns
   and estimates the comparisons that do not use them. Comparisons whose agreement among
   non-matches depends on the blocking columns (sex, citizenship and place depend on the name:
   two unrelated "Maria Popescu" share sex and nationality) are left out of that pass, because
   EM with the global u would read that dependence as evidence of a match and converge to a
   wrong "match" class (see RECIPES.md). Each comparison is estimated in at least one pass
   and the median is kept.
3. The prior (probability that two random records match) from the number of pairs that agree
   exactly on a strict rule, divided by that rule's recall as the trained m probabilities
   imply it.
4. Checks: the first level of every comparison must be evidence for a match and "all other"
   evidence against, or training fails with ``ModelTrainingError`` rather than link with a
   model that learnt the wrong class.

The trained model is saved as JSON (``TrainedModel.save``) with a format version, a hash of the
untrained settings (a model trained for other comparisons is refused on load) and the
training report. ``TrainedModel.splink_settings_for(spec, dialect)`` gives the same model for
another Splink backend, e.g. ``"spark"`` for national-scale runs (docs/LINKAGE.md §6, ADR 0010).
"""

from __future__ import annotations

import copy
import dataclasses
import datetime
import functools
import hashlib
import json
import logging
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import splink
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import Linker, SettingsCreator, block_on

MODEL_FORMAT = "punte-linkage-model/1"
# A blocking rule that would score more pairs than this per record is narrowed (see
# BlockingRule): it bounds the work of linking a national database on one machine.
PAIRS_PER_RECORD_PER_RULE = 40
# EM stops when no probability moves by more than this between iterations.
EM_CONVERGENCE = 1e-3
EM_MAX_ITERATIONS = 25
# Random pairs from which the u probabilities are estimated. The rarest level anyone relies on
# (an exact date of birth, u about 1e-4) is still seen about a hundred times in a million
# pairs; five million cost a third of the training time on 30,000 records and gave the same
# precision and recall (docs/PERFORMANCE.md, "Record linkage").
U_RANDOM_PAIRS = 1e6
logger = logging.getLogger(__name__)


class ModelTrainingError(RuntimeError):
    """Training produced a model that must not be used (too little data, wrong class, ...)."""


class ModelMismatchError(ValueError):
    """A saved model was trained for other comparisons than this version of Punte uses."""


@dataclasses.dataclass(frozen=True)
class TrainingPass:
    """One EM pass: block on `keys` (equality), leave out comparisons using `exclude`."""

    keys: tuple[str, ...]
    exclude: tuple[str, ...] = ()

    def blocking_rule(self, sample_below: int | None) -> str:
        parts = [f"l.{k} = r.{k}" for k in self.keys]
        if self.exclude:
            # Splink leaves out of a pass every comparison whose columns the blocking rule
            # mentions; this always-true clause mentions them without restricting pairs.
            parts.append(
                "(" + " OR ".join(f"l.{c} IS NULL OR l.{c} IS NOT NULL" for c in self.exclude) + ")"
            )
        if sample_below is not None:
            parts.append(f"l.em_sample < {sample_below} AND r.em_sample < {sample_below}")
        return " AND ".join(parts)


@dataclasses.dataclass(frozen=True)
class StrictRule:
    """Agreement that almost only happens for one person, used to estimate the prior.

    By default: exact agreement on `columns` (all non-null). `count` may replace the counting
    (encoded records agree "exactly" only up to noise). `levels` names, for each part of the
    rule, the (comparison, level label) whose m probability is the chance that two records of
    one person agree on it, so that the rule's recall follows from the trained model.
    """

    columns: tuple[str, ...]
    levels: tuple[tuple[str, str], ...]
    null_columns: tuple[str, ...]  # a record lacking one of these cannot satisfy the rule
    count: Callable[[pd.DataFrame, Any], int] | None = None

    def observed_pairs(self, features: pd.DataFrame, candidates: Any = None) -> int:
        if self.count is not None:
            return self.count(features, candidates)
        complete = features.dropna(subset=list(self.columns))
        sizes = complete.groupby(list(self.columns), sort=False).size()
        return int((sizes * (sizes - 1) // 2).sum())


@dataclasses.dataclass(frozen=True)
class ModelSpec:
    name: str
    version: int
    comparisons: Callable[[], list]
    blocking: tuple[BlockingRule, ...]
    training_passes: tuple[TrainingPass, ...]
    strict_rule: StrictRule
    # (comparison, level label) of pairs that must not be linked on their own strength
    # (e.g. two different, well-established given names: twins); they go to review instead.
    conflict_level: tuple[str, str] | None = None
    # SQL over a pair (columns suffixed _l and _r) under which a pair in the conflict level is
    # not a conflict: twins and siblings never share an identity number (they do share a
    # phone, so the phone is no such proof).
    conflict_unless: str | None = None
    # Comparisons that identify a person: their top level must be strong evidence (Bayes
    # factor >= 10), or EM has converged to a wrong class.
    identifying: tuple[str, ...] = ()
    # Candidate pairs found outside Splink (e.g. a similarity join on encodings) instead of
    # the blocking rules: features -> DataFrame(unique_id_l, unique_id_r, ...).
    candidates: Callable[[pd.DataFrame], pd.DataFrame] | None = None
    # Adds columns computed from the features and the candidate pairs (before training and
    # scoring), e.g. keys for the training passes.
    derived_columns: Callable[[pd.DataFrame, Any], pd.DataFrame] | None = None

    def narrowed_blocking(
        self, features: pd.DataFrame, sizes: BlockSizes | None = None
    ) -> list[BlockingRule]:
        """The blocking rules for this data: broad rules narrowed to the pair budget."""
        budget = PAIRS_PER_RECORD_PER_RULE * max(len(features), 1000)
        sizes = sizes if sizes is not None else BlockSizes(features)
        return [
            dataclasses.replace(rule, keys=rule.narrowed(sizes, budget), refine=())
            for rule in self.blocking
        ]

    def blocking_rules_for(self, features: pd.DataFrame) -> list:
        """``narrowed_blocking`` as Splink's blocking rules."""
        return [rule.splink_rule() for rule in self.narrowed_blocking(features)]

    def settings_creator(self, blocking_rules: list | None = None) -> SettingsCreator:
        return SettingsCreator(
            link_type="dedupe_only",
            unique_id_column_name="unique_id",
            comparisons=self.comparisons(),
            blocking_rules_to_generate_predictions=(
                blocking_rules
                if blocking_rules is not None
                else [rule.splink_rule() for rule in self.blocking]
            ),
            retain_matching_columns=False,
            retain_intermediate_calculation_columns=True,
            additional_columns_to_retain=["source"],
            em_convergence=EM_CONVERGENCE,
            max_iterations=EM_MAX_ITERATIONS,
        )

    def untrained_settings(self, dialect: str = "duckdb") -> dict[str, Any]:
        settings = self.settings_creator().get_settings(dialect).as_dict()
        settings.pop("linker_uid", None)
        return settings

    def settings_hash(self) -> str:
        """Identifies the comparisons (not the blocking rules, which adapt to the data)."""
        return _settings_hash(self)

    def _settings_hash(self) -> str:
        settings = self.untrained_settings()
        settings.pop("blocking_rules_to_generate_predictions", None)
        canonical = json.dumps(
            {"format": MODEL_FORMAT, "spec": self.name, "version": self.version,
             "settings": settings},
            sort_keys=True, default=str,
        )  # fmt: skip
        return hashlib.sha256(canonical.encode()).hexdigest()


# A spec's comparisons are code: their hash is computed once per process (Splink parses
# every level's SQL to build the settings), not on every model loaded or stored.
_settings_hash = functools.cache(ModelSpec._settings_hash)
# The same for the settings themselves (callers copy them before changing anything).
_untrained_settings = functools.cache(ModelSpec.untrained_settings)


# --------------------------------------------------------------------------- plaintext model

# Labels are referenced by the strict rule and the conflict level; keep them stable.
FIRST_EXACT = "given name exactly equal"
LAST_EXACT = "family name exactly equal"
DOB_EXACT = "date of birth equal"
DISTINCT_NAMES = "two different established given names"
SAME_IDENTITY_NUMBER = "same identity number"


def _jw(column: str, threshold: float, label: str) -> cll.ComparisonLevelCreator:
    return cll.JaroWinklerLevel(column, threshold).configure(label_for_charts=label)


def _custom(sql: str, label: str) -> cll.CustomLevel:
    return cll.CustomLevel(sql, label_for_charts=label, base_dialect_str="duckdb")


def plain_comparisons() -> list:
    first = cl.CustomComparison(
        output_column_name="first_name",
        comparison_levels=[
            cll.NullLevel("first_key"),
            cll.ExactMatchLevel("first_std", term_frequency_adjustments=True).configure(
                label_for_charts=FIRST_EXACT
            ),
            cll.ExactMatchLevel("first_key", term_frequency_adjustments=True).configure(
                label_for_charts="same after transliteration"
            ),
            cll.ExactMatchLevel("first_group", term_frequency_adjustments=True).configure(
                label_for_charts="variants of one name (nickname, other language)"
            ),
            _custom(
                "(first_tok2_l IS NOT NULL OR first_tok2_r IS NOT NULL) AND ("
                "first_tok1_l = first_tok1_r OR first_tok1_l = first_tok2_r"
                " OR first_tok2_l = first_tok1_r OR first_tok2_l = first_tok2_r)",
                "share one of several given names",
            ),
            # swap_last is a copy of last_key: a pass blocking on last_key still trains this.
            _custom(
                "first_key_l = swap_last_r OR swap_last_l = first_key_r",
                "given name = other's family name (swapped)",
            ),
            # Levenshtein, not Damerau-Levenshtein: as good here and four times faster in DuckDB.
            # A typo in a rare name is stronger evidence than in a common one: term frequency
            # adjustment (against the more frequent of the two spellings) applies here too.
            cll.LevenshteinLevel("first_key", 1).configure(
                label_for_charts="one typo",
                tf_adjustment_column="first_key",
                tf_adjustment_weight=1.0,
            ),
            _jw("first_key", 0.9, "very similar"),
            _jw("first_key", 0.8, "similar"),
            _custom("first_common_l AND first_common_r", DISTINCT_NAMES),
            cll.ElseLevel(),
        ],
    )
    last = cl.CustomComparison(
        output_column_name="last_name",
        comparison_levels=[
            cll.NullLevel("last_key"),
            cll.ExactMatchLevel("last_std", term_frequency_adjustments=True).configure(
                label_for_charts=LAST_EXACT
            ),
            cll.ExactMatchLevel("last_key", term_frequency_adjustments=True).configure(
                label_for_charts="same after transliteration"
            ),
            _custom(
                "last_key_l = swap_first_r OR swap_first_l = last_key_r",
                "family name = other's given name (swapped)",
            ),
            cll.LevenshteinLevel("last_key", 1).configure(
                label_for_charts="one typo",
                tf_adjustment_column="last_key",
                tf_adjustment_weight=1.0,
            ),
            _jw("last_key", 0.9, "very similar"),
            _jw("last_key", 0.8, "similar"),
            cll.ElseLevel(),
        ],
    )
    dob = cl.CustomComparison(
        output_column_name="date_of_birth",
        comparison_levels=[
            _custom("dob_year_l IS NULL OR dob_year_r IS NULL", "missing").configure(
                is_null_level=True
            ),
            cll.ExactMatchLevel("dob", term_frequency_adjustments=True).configure(
                label_for_charts=DOB_EXACT
            ),
            _custom(
                "dob_year_l = dob_year_r AND (dob_l IS NULL OR dob_r IS NULL)"
                " AND (dob_month_l IS NULL OR dob_month_r IS NULL OR dob_month_l = dob_month_r)",
                "same year, one only partly known",
            ),
            _custom(
                "dob_year_l = dob_year_r AND dob_month_l = dob_day_r AND dob_day_l = dob_month_r",
                "day and month swapped",
            ),
            _custom("abs(dob_days_l - dob_days_r) <= 7", "within a week"),
            _custom(
                "dob_month_l = dob_month_r AND dob_day_l = dob_day_r"
                " AND abs(dob_year_l - dob_year_r) = 1",
                "same day, year off by one",
            ),
            _custom("abs(dob_year_l - dob_year_r) <= 1", "within a year"),
            cll.ElseLevel(),
        ],
    )
    place = cl.CustomComparison(
        output_column_name="place_of_birth",
        comparison_levels=[
            cll.NullLevel("place_key"),
            cll.ExactMatchLevel("place_key", term_frequency_adjustments=True).configure(
                label_for_charts="same place"
            ),
            _jw("place_key", 0.88, "similar"),
            cll.ElseLevel(),
        ],
    )
    return [
        first,
        last,
        dob,
        place,
        cl.ExactMatch("sex"),
        cl.CustomComparison(
            output_column_name="citizenship",
            comparison_levels=[
                cll.NullLevel("citizenship"),
                cll.ExactMatchLevel("citizenship").configure(label_for_charts="same"),
                # Many Moldovans also hold Romanian citizenship and give either.
                _custom(
                    "(citizenship_l = 'MD' AND citizenship_r = 'RO')"
                    " OR (citizenship_l = 'RO' AND citizenship_r = 'MD')",
                    "Moldovan and Romanian",
                ),
                cll.ElseLevel(),
            ],
        ),
        cl.CustomComparison(
            output_column_name="phone",
            comparison_levels=[
                cll.NullLevel("phone"),
                cll.ExactMatchLevel("phone").configure(label_for_charts="same number"),
                # A digit mistyped, or two swapped.
                cll.DamerauLevenshteinLevel("phone", 1).configure(label_for_charts="one digit off"),
                cll.ElseLevel(),
            ],
        ),
        # A CNP, identity card or passport number. Most records have none (few agencies see
        # a victim's documents); where both have one it nearly decides the pair.
        cl.CustomComparison(
            output_column_name="identity_number",
            comparison_levels=[
                cll.NullLevel("identity_number"),
                cll.ExactMatchLevel("identity_number").configure(
                    label_for_charts=SAME_IDENTITY_NUMBER
                ),
                # A character mistyped, or two swapped.
                cll.DamerauLevenshteinLevel("identity_number", 1).configure(
                    label_for_charts="one character different"
                ),
                cll.ElseLevel(),
            ],
        ),
    ]


@dataclasses.dataclass(frozen=True)
class BlockingRule:
    """Pairs that agree on `keys` are scored (or on the custom `sql`, e.g. swapped names).

    If agreeing on `keys` would produce more than the pair budget for the data at hand (a
    national database has thousands of "Maria Popa"), the rule is narrowed by the columns of
    `refine`, in order, until it fits. Small data sets keep the broad rules.
    """

    keys: tuple[str, ...] = ()
    refine: tuple[str, ...] = ()
    sql: str | None = None

    def narrowed(self, sizes: BlockSizes, budget: float) -> tuple[str, ...]:
        keys = self.keys
        refine = list(self.refine)
        while refine and sizes(keys) > budget:
            keys = keys + (refine.pop(0),)
        return keys

    def splink_rule(self):
        return self.sql if self.sql else block_on(*self.keys)

    def sql_condition(self) -> str:
        """The rule over a pair of records aliased l and r (what Splink's block_on means)."""
        return self.sql or " AND ".join(f'l."{c}" = r."{c}"' for c in self.keys)


# Each rule catches a kind of error the others miss; together they find about 95% of the
# true pairs of the benchmark while scoring about 15 pairs per record.
PLAIN_BLOCKING = (
    BlockingRule(("first_group", "last_key"), refine=("sex",)),
    BlockingRule(("last_key", "dob_year"), refine=("first_init",)),
    BlockingRule(("first_group", "dob"), refine=("last_init",)),
    BlockingRule(("dob", "place_key")),
    BlockingRule(sql="l.first_key = r.swap_last AND l.swap_last = r.first_key"),
    BlockingRule(("first_init", "last_prefix", "dob_year"), refine=("dob_month",)),
    BlockingRule(("first_group", "last_prefix"), refine=("sex", "place_key")),
    BlockingRule(("dob",), refine=("first_init",)),
    BlockingRule(("first_group", "dob_year"), refine=("last_init", "place_key")),
    BlockingRule(("first_cons", "last_cons"), refine=("sex", "dob_year")),
    BlockingRule(("last_key", "dob_month", "dob_day")),
    BlockingRule(("first_group", "dob_month", "dob_day"), refine=("last_init",)),
    BlockingRule(sql="l.first_cons = r.last_cons AND l.last_cons = r.first_cons"),
    BlockingRule(("last_key", "first2"), refine=("sex", "dob_year")),
    BlockingRule(("first_group", "last_init", "place_key"), refine=("sex",)),
    # A phone number is shared by few people (a household; an exploiter's victims).
    BlockingRule(("phone",), refine=("last_init",)),
    # An identity number is one person's; narrowed only if a file repeats one many times.
    BlockingRule(("identity_number",), refine=("last_init",)),
    BlockingRule(("last_key", "place_key"), refine=("first_init", "dob_year")),
)


def plain_blocking_rules() -> list:
    return [rule.splink_rule() for rule in PLAIN_BLOCKING]


_NAME_DEPENDENT = ("sex", "citizenship", "place_key")

PLAIN = ModelSpec(
    name="plain",
    # 2: the identity number (a comparison, a blocking rule, the twins rule's exception).
    version=2,
    comparisons=plain_comparisons,
    blocking=PLAIN_BLOCKING,
    training_passes=(
        # Same given name (or a variant) and family name: mostly one person, so the date of
        # birth's m probabilities are well determined even though it is the only comparison
        # left (sex, citizenship and place are left out: see the module docstring).
        TrainingPass(keys=("first_group", "last_key"), exclude=_NAME_DEPENDENT),
        # Same date of birth: unrelated to the names, trains names, place, sex, citizenship.
        TrainingPass(keys=("dob",)),
    ),
    strict_rule=StrictRule(
        columns=("first_std", "last_std", "dob"),
        levels=(
            ("first_name", FIRST_EXACT),
            ("last_name", LAST_EXACT),
            ("date_of_birth", DOB_EXACT),
        ),
        null_columns=("first_key", "last_key", "dob_year"),
    ),
    conflict_level=("first_name", DISTINCT_NAMES),
    # One person recorded under another given name (a nickname the variants file does not
    # know, a clerk's mistake) keeps the identity number; twins each have their own.
    conflict_unless="identity_number_l IS NOT NULL AND identity_number_l = identity_number_r",
    identifying=("first_name", "last_name", "date_of_birth"),
)


# --------------------------------------------------------------------------- trained model


@dataclasses.dataclass
class TrainedModel:
    spec_name: str
    settings_hash: str
    splink_settings: dict[str, Any]  # trained, DuckDB dialect
    report: dict[str, Any]
    trained_at: str
    # What linking.Scorer generates once from the settings (they do not change after training
    # or loading): spec -> the scoring statement.
    compiled: dict[Any, Any] = dataclasses.field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @property
    def version(self) -> str:
        stamp = self.trained_at.replace("-", "").replace(":", "")[:15]
        return f"{self.spec_name}-{self.settings_hash[:12]}-{stamp}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": MODEL_FORMAT,
            "model_version": self.version,
            "spec": self.spec_name,
            "settings_hash": self.settings_hash,
            "trained_at": self.trained_at,
            "splink_version": splink.__version__,
            "training_report": self.report,
            "splink_settings": self.splink_settings,
        }

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.as_dict(), indent=2, default=str) + "\n")

    @classmethod
    def load(cls, path: str | Path, spec: ModelSpec) -> TrainedModel:
        try:
            data = json.loads(Path(path).read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise ModelMismatchError(f"{path}: not a readable model file ({exc})") from exc
        if data.get("format") != MODEL_FORMAT:
            raise ModelMismatchError(
                f"{path}: model format {data.get('format')!r}, expected {MODEL_FORMAT!r}"
            )
        if data.get("spec") != spec.name or data.get("settings_hash") != spec.settings_hash():
            missing = _comparisons_missing(data, spec)
            if missing:
                # E.g. a model saved before identity numbers were compared: it has no
                # parameters for them and would score every pair as if none were known.
                raise ModelMismatchError(
                    f"{path}: the model {data.get('model_version')} was saved before this "
                    f"version of Punte compared {', '.join(missing)}; train a new one "
                    "(link_persons --save-model FILE on the records, or link_persons --train "
                    "in the database)"
                )
            raise ModelMismatchError(
                f"{path}: the model {data.get('model_version')} was trained for other "
                f"comparisons than this version of Punte uses ({spec.name}, settings "
                f"{spec.settings_hash()[:12]}); train a new one"
            )
        return cls(
            spec_name=data["spec"],
            settings_hash=data["settings_hash"],
            splink_settings=verified_settings(data.get("splink_settings"), spec, path),
            report=data.get("training_report", {}),
            trained_at=data["trained_at"],
        )

    def splink_settings_for(self, spec: ModelSpec, dialect: str) -> dict[str, Any]:
        """The trained model for another Splink backend ("duckdb", "spark", "postgres")."""
        if dialect == "duckdb":
            return copy.deepcopy(self.splink_settings)
        target = spec.settings_creator().get_settings(dialect).as_dict()
        target["probability_two_random_records_match"] = self.splink_settings[
            "probability_two_random_records_match"
        ]
        for comparison, trained in zip(
            target["comparisons"], self.splink_settings["comparisons"], strict=True
        ):
            for level, trained_level in zip(
                comparison["comparison_levels"], trained["comparison_levels"], strict=True
            ):
                for key in ("m_probability", "u_probability"):
                    if key in trained_level:
                        level[key] = trained_level[key]
        return target


def verified_settings(saved: Any, spec: ModelSpec, path: str | Path) -> dict[str, Any]:
    """The spec's own settings with the saved model's numbers: a model file is data, not code.

    The settings hash in a file is the file's word for it, and Splink's settings carry SQL
    (each level's condition) that DuckDB would run with the server's access to its files. So
    everything but the parameters comes from this version's code; the file must name the same
    comparisons and levels with the same SQL, and may only add m, u and the prior, or drop a
    level's term-frequency adjustment (training does so for a comparison the data never
    filled).
    """
    trusted = copy.deepcopy(_untrained_settings(spec))

    def refuse(what: str) -> ModelMismatchError:
        return ModelMismatchError(
            f"{path}: {what}; the file does not hold a model this version of Punte trained"
        )

    if not isinstance(saved, dict) or not isinstance(saved.get("comparisons"), list):
        raise refuse("no comparisons")
    if len(saved["comparisons"]) != len(trusted["comparisons"]):
        raise refuse("other comparisons than this version's")
    for ours, theirs in zip(trusted["comparisons"], saved["comparisons"], strict=True):
        name = ours["output_column_name"]
        if not isinstance(theirs, dict) or theirs.get("output_column_name") != name:
            raise refuse(f"comparison {name!r} is not this version's")
        levels = theirs.get("comparison_levels")
        if not isinstance(levels, list):
            raise refuse(f"comparison {name!r} is not this version's")
        if len(levels) != len(ours["comparison_levels"]):
            raise refuse(f"comparison {name!r} has other levels than this version's")
        for level, saved_level in zip(ours["comparison_levels"], levels, strict=True):
            if not isinstance(saved_level, dict) or any(
                saved_level.get(key) != level.get(key)
                for key in ("sql_condition", "label_for_charts", "is_null_level")
            ):
                raise refuse(f"a level of {name!r} differs from this version's")
            if level.get("is_null_level"):
                continue  # a missing value is no evidence: no parameters to take
            for key in ("m_probability", "u_probability"):
                # Training keeps every probability above zero (_check_and_floor).
                value = saved_level.get(key)
                if not _probability(value) or value <= 0:
                    raise refuse(f"{key} of a level of {name!r} is not a probability above 0")
                level[key] = float(value)
            if "tf_adjustment_column" not in saved_level:
                level.pop("tf_adjustment_column", None)
                level.pop("tf_adjustment_weight", None)
            elif saved_level["tf_adjustment_column"] != level.get("tf_adjustment_column"):
                raise refuse(f"a level of {name!r} adjusts another column than this version's")
    prior = saved.get("probability_two_random_records_match")
    if not _probability(prior) or not 0 < prior < 1:
        raise refuse("the prior probability of a match is not a probability")
    trusted["probability_two_random_records_match"] = float(prior)
    return trusted


def _probability(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 1


def _comparisons_missing(data: dict, spec: ModelSpec) -> list[str]:
    """Comparisons of `spec` that a saved model (as read from its file) does not have."""
    settings = data.get("splink_settings")
    if not isinstance(settings, dict) or not isinstance(settings.get("comparisons"), list):
        return []
    saved = {c.get("output_column_name") for c in settings["comparisons"] if isinstance(c, dict)}
    wanted = [c["output_column_name"] for c in spec.untrained_settings()["comparisons"]]
    return [name for name in wanted if name not in saved]


# --------------------------------------------------------------------------- training


class BlockSizes:
    """The groups that blocking on some keys forms, and the pairs they hold (no join needed).

    Each column's values are numbered once (the rules share their columns), and a key's
    groups are numbered from its columns' numbers: exact, and a rule's pairs are then the
    pairs of records with the same group number.
    """

    def __init__(self, features: pd.DataFrame):
        self.features = features
        self._columns: dict[str, np.ndarray] = {}
        self._groups: dict[tuple[str, ...], np.ndarray] = {}

    def codes(self, name: str) -> np.ndarray:
        """A number for each distinct value of the column, per record; -1 where missing."""
        if name not in self._columns:
            self._columns[name] = pd.factorize(self.features[name])[0]  # missing: -1
        return self._columns[name]

    def groups(self, keys: tuple[str, ...]) -> np.ndarray:
        """Each record's group number on `keys`; -1 where one of them is missing."""
        if keys not in self._groups:
            combined = np.zeros(len(self.features), dtype=np.int64)
            for name in keys:
                codes = self.codes(name)
                missing = (combined < 0) | (codes < 0)
                # Both numbers are below the number of records: the product fits in 64 bits.
                combined = pd.factorize(combined * (int(codes.max(initial=0)) + 1) + codes)[0]
                combined[missing] = -1
            self._groups[keys] = combined
        return self._groups[keys]

    def __call__(self, keys: tuple[str, ...]) -> int:
        groups = self.groups(keys)
        sizes = np.bincount(groups[groups >= 0])
        return int((sizes * (sizes - 1) // 2).sum())


def _levels(settings: dict, comparison: str) -> list[dict]:
    for c in settings["comparisons"]:
        if c["output_column_name"] == comparison:
            return c["comparison_levels"]
    raise KeyError(comparison)


def _level(settings: dict, comparison: str, label: str) -> dict:
    for level in _levels(settings, comparison):
        if level.get("label_for_charts") == label:
            return level
    raise KeyError(f"{comparison}: {label}")


# A comparison filled in fewer records than this share, that no training pass could estimate,
# is neutral rather than an error (a handful of values cannot train it).
SPARSE_SHARE = 0.05
_NULL_COLUMN = re.compile(r'"?([A-Za-z_][A-Za-z0-9_]*)_l"?\s+IS\s+NULL', re.IGNORECASE)


def _null_columns(comparison: dict) -> list[str]:
    """The columns whose absence makes a comparison 'missing', read from its null level."""
    for level in comparison["comparison_levels"]:
        if level.get("is_null_level"):
            return _NULL_COLUMN.findall(level["sql_condition"])
    return []


def _unobserved_comparisons(
    settings: dict, features: pd.DataFrame, untrained: list[str]
) -> set[str]:
    """Comparisons with no pair to learn from: columns empty, or too sparse to train."""
    neutral = set()
    for comparison in settings["comparisons"]:
        name = comparison["output_column_name"]
        columns = [c for c in _null_columns(comparison) if c in features.columns]
        if not columns:
            continue
        present = int(features[columns].notna().all(axis=1).sum())
        if present < 2 or (name in untrained and present < SPARSE_SHARE * len(features)):
            neutral.add(name)
    return neutral


def _neutralise(settings: dict, names: set[str]) -> None:
    for comparison in settings["comparisons"]:
        if comparison["output_column_name"] not in names:
            continue
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        for level in levels:
            level["m_probability"] = level["u_probability"] = 1.0 / len(levels)
            level.pop("tf_adjustment_column", None)
            level.pop("tf_adjustment_weight", None)


def _check_and_floor(
    settings: dict,
    expected_matches: float,
    identifying: tuple[str, ...],
    *,
    skip: set[str] = frozenset(),
) -> tuple[list[str], list[str]]:
    """Refuse a model that learnt the wrong class; keep every probability above zero."""
    problems, floored = [], []
    floor = max(0.5 / max(expected_matches, 1.0), 1e-6)
    for comparison in settings["comparisons"]:
        name = comparison["output_column_name"]
        if name in skip:
            continue
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        observed = any(
            isinstance(lv.get("u_probability"), (int, float)) and lv["u_probability"] > 0
            for lv in levels
        )
        for level in levels:
            for key in ("m_probability", "u_probability"):
                value = level.get(key)
                if not isinstance(value, (int, float)) or value < floor:
                    level[key] = floor
                    floored.append(f"{name}: {level['label_for_charts']} ({key[0]})")
        if not observed:
            continue  # the column is empty in this data: the comparison is always "missing"
        first, last = levels[0], levels[-1]
        needed = 10.0 if name in identifying else 1.0
        if first["m_probability"] <= needed * first["u_probability"]:
            problems.append(
                f"{name}: '{first['label_for_charts']}' is not evidence for a match "
                f"(m={first['m_probability']:.4g}, u={first['u_probability']:.4g})"
            )
        if last["m_probability"] > last["u_probability"]:
            problems.append(
                f"{name}: 'all other comparisons' is not evidence against a match "
                f"(m={last['m_probability']:.4g}, u={last['u_probability']:.4g})"
            )
    return problems, floored


def train(
    linker: Linker,
    features: pd.DataFrame,
    spec: ModelSpec,
    *,
    seed: int = 1,
    max_u_pairs: float = U_RANDOM_PAIRS,
    max_em_pairs: float = 2e5,
    progress: Callable[[str], None] | None = None,
    candidates: Any = None,
) -> TrainedModel:
    """Estimate u, m and the prior on `features` (already registered in `linker`)."""
    say = progress or (lambda message: None)
    n = len(features)
    if n < 50:
        raise ModelTrainingError(
            f"{n} records are too few to estimate a linkage model; link them with a model "
            "trained on more data (--model)"
        )
    report: dict[str, Any] = {"records": n, "passes": []}
    total_pairs = n * (n - 1) / 2
    say("estimating u probabilities from random pairs")
    linker.training.estimate_u_using_random_sampling(
        max_pairs=min(max_u_pairs, total_pairs), seed=seed
    )
    sizes = BlockSizes(features)
    for training_pass in spec.training_passes:
        pairs = sizes(training_pass.keys)
        sample_below = None
        if pairs > max_em_pairs:
            # Sample records on both sides: the share of matches among the pairs is kept.
            sample_below = max(1, int(10_000 * math.sqrt(max_em_pairs / pairs)))
        say(f"estimating m probabilities, blocking on {', '.join(training_pass.keys)}")
        rule = training_pass.blocking_rule(sample_below)
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(rule)
        except Exception as exc:  # Splink raises its own errors for empty or degenerate passes
            report["passes"].append({"rule": rule, "error": str(exc).splitlines()[0][:300]})
            logger.warning("EM pass %s failed: %s", rule, exc)
            continue
        report["passes"].append(
            {"rule": rule, "blocked_pairs": pairs, "sampled": sample_below is not None}
        )
    settings = linker.misc.save_model_to_json()
    untrained = [
        c.output_column_name
        for c in linker._settings_obj.comparisons
        if not any(lv._has_estimated_m_values for lv in c._comparison_levels_excluding_null)
    ]
    # A comparison whose columns this data never (or hardly ever) fills carries no evidence
    # either way: Punte's own records have no place of birth or phone, FEBRL has no sex.
    # It is made neutral (Bayes factor 1 at every level) instead of failing the training, and
    # the report says so; a pair with values there later scores as if they were missing.
    neutral = _unobserved_comparisons(settings, features, untrained)
    report["not_observed"] = sorted(neutral)
    untrained = [name for name in untrained if name not in neutral]
    if untrained:
        raise ModelTrainingError(
            "no training pass could estimate "
            + ", ".join(untrained)
            + " (see the training report: "
            + json.dumps(report["passes"], default=str)
            + ")"
        )

    say("estimating the prior probability of a match")
    prior = _estimate_prior(features, spec, settings, candidates)
    report["prior"] = prior
    settings["probability_two_random_records_match"] = prior["probability"]
    _neutralise(settings, neutral)
    problems, floored = _check_and_floor(
        settings, prior["expected_matching_pairs"], spec.identifying, skip=neutral
    )
    report["checks"] = problems or ["ok"]
    report["levels_not_observed"] = floored
    if problems:
        raise ModelTrainingError(
            "the estimated model does not separate matches from non-matches: " + "; ".join(problems)
        )
    settings.pop("linker_uid", None)
    return TrainedModel(
        spec_name=spec.name,
        settings_hash=spec.settings_hash(),
        splink_settings=settings,
        report=report,
        trained_at=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    )


def _estimate_prior(features: pd.DataFrame, spec: ModelSpec, settings: dict, candidates: Any):
    rule = spec.strict_rule
    n = len(features)
    observed = rule.observed_pairs(features, candidates)
    recall = 1.0
    for column in rule.null_columns:
        present = features[column].notna().mean()
        recall *= present * present
    for comparison, label in rule.levels:
        m = _level(settings, comparison, label).get("m_probability")
        if not isinstance(m, (int, float)) or m <= 0:
            raise ModelTrainingError(f"no m probability was estimated for {comparison}: {label}")
        recall *= m
    observed = max(observed, 1)
    expected = observed / recall
    total = n * (n - 1) / 2
    probability = min(expected / total, 0.5)
    return {
        "strict_rule": list(rule.columns),
        "observed_pairs": observed,
        "estimated_recall": float(recall),
        "expected_matching_pairs": float(expected),
        "probability": float(probability),
    }
