"""The screening assessment: indicators observed -> dimensions present -> outcome.

Pure functions over a catalogue already loaded (from its YAML file or from the database): no
database access here, so every rule can be tested on hand-worked cases in microseconds. How
graded indicators make a dimension present, and how dimensions make a presumed victim, is read
from the catalogue's rule (data, versioned with the catalogue), never written here; this module
only knows the *shape* of that rule (see catalogue/ilo-ec-2009-v1.yaml beside it, and ADR 0020).

A result keeps everything that produced it (the indicators counted in each dimension, the
combination that made each dimension present, the requirements met and missed), so a screening
can show, and later reproduce, exactly why it came out as it did.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import models
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _

from punte.core.errors import ServiceError
from punte.core.wording import translated
from punte.identification.screening.catalogue.vocabulary import (
    LIST_POPULATION,
    Grade,
    IndicatorList,
    Population,
)

GRADE_ORDER = (Grade.STRONG, Grade.MEDIUM, Grade.WEAK)
_GRADE_RANK = {grade.value: rank for rank, grade in enumerate(GRADE_ORDER)}


class Outcome(models.TextChoices):
    PRESUMED_VICTIM = "presumed_victim", _("Presumed victim")
    INSUFFICIENT_INDICATIONS = "insufficient_indications", _("Insufficient indications")
    NOT_INDICATED = "not_indicated", _("Not indicated")


class ShortScreenAnswer(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNSURE = "unsure", _("Unsure")


class ShortScreenOutcome(models.TextChoices):
    PRESUMED_VICTIM = "presumed_victim", _("Presumed victim: refer now")
    REFER_FOR_FULL_SCREENING = "refer_for_full_screening", _("Refer for full screening")
    NOT_INDICATED = "not_indicated", _("Not indicated")


# Where the catalogue's files and their wording/<language>.yaml translations are.
_CATALOGUE_DIR = Path(__file__).resolve().parent / "catalogue"


def _in_romanian(language: str | None) -> bool:
    return (language or get_language() or "").lower().startswith("ro")


def _text(item: Mapping[str, Any] | IndicatorDef, language: str | None = None) -> str:
    """The text of a catalogue item in the reader's language: Romanian or English as the
    version has them, another language from the catalogue's wording files, else English."""
    if isinstance(item, IndicatorDef):
        text_ro, text_en = item.text_ro, item.text_en
    else:
        text_ro, text_en = item["text_ro"], item["text_en"]
    if _in_romanian(language):
        return text_ro
    return translated(text_en, language=language or get_language(), directory=_CATALOGUE_DIR)


@dataclass(frozen=True)
class IndicatorDef:
    """One indicator (or short-screen question) of one catalogue version."""

    catalogue_version: str
    code: str
    list: str
    dimension: str
    grade: str  # "" for short-screen questions
    concept: str
    text_en: str
    text_ro: str
    maps_to: tuple[str, ...] = ()

    @property
    def population(self) -> str:
        return LIST_POPULATION[IndicatorList(self.list)]

    @property
    def is_question(self) -> bool:
        return self.list == IndicatorList.CLINICAL

    def text(self, language: str | None = None) -> str:
        return _text(self, language)


# --- Full screening -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DimensionResult:
    dimension: str
    present: bool
    # Indications counted, in catalogue order: one per concept, at its highest grade.
    counted: tuple[str, ...]
    # Ticked too, but the same indication as one counted (the same concept in another list).
    also_observed: tuple[str, ...]
    counts: Mapping[str, int]
    # Index of the first combination of rule.dimension_present_when_any_of that was met.
    combination: int | None


@dataclass(frozen=True)
class RequirementResult:
    requirement: str
    met: bool
    dimensions_present: tuple[str, ...]  # the present dimensions that meet it


@dataclass(frozen=True)
class Assessment:
    catalogue_version: str
    is_child: bool
    outcome: Outcome
    indicators_present: tuple[str, ...]
    dimensions: tuple[DimensionResult, ...]
    requirements: tuple[RequirementResult, ...]
    rule: Mapping[str, Any] = field(repr=False, compare=False)
    indicators: Mapping[str, IndicatorDef] = field(repr=False, compare=False)

    @property
    def dimensions_present(self) -> tuple[DimensionResult, ...]:
        return tuple(d for d in self.dimensions if d.present)

    def dimension(self, code: str) -> DimensionResult:
        return next(d for d in self.dimensions if d.dimension == code)

    def to_dict(self) -> dict[str, Any]:
        """What a screening stores: enough to show and audit the result without the engine."""
        return {
            "catalogue_version": self.catalogue_version,
            "is_child": self.is_child,
            "outcome": self.outcome.value,
            "indicators_present": list(self.indicators_present),
            "dimensions": [
                {
                    "dimension": d.dimension,
                    "present": d.present,
                    "indicators": list(d.counted),
                    "also_observed": list(d.also_observed),
                    "counts": dict(d.counts),
                    "combination": d.combination,
                }
                for d in self.dimensions
            ],
            "requirements": [
                {
                    "requirement": r.requirement,
                    "met": r.met,
                    "dimensions_present": list(r.dimensions_present),
                }
                for r in self.requirements
            ],
        }

    def explanation(self, language: str | None = None) -> list[str]:
        """The result in plain words, one sentence a line, in the active language."""
        return _explain(self, language)


def assess(
    catalogue_rule: Mapping[str, Any],
    indicators_by_code: Mapping[str, IndicatorDef],
    answers: Mapping[str, bool],
    *,
    is_child: bool,
) -> Assessment:
    """Apply the catalogue's rule to a screening's answers.

    `answers` maps indicator codes to True (observed) or False (asked, not observed); an
    indicator not in `answers` was not observed. A code that is not an indicator of this
    catalogue version, a short-screen question, an indicator graded for the other age group, or
    an answer other than true/false is refused with a ServiceError naming `answers.<code>`.
    """
    version = _catalogue_version(indicators_by_code)
    observed = _validated_answers(indicators_by_code, answers, is_child=is_child, version=version)

    dimensions = tuple(
        _assess_dimension(dim["code"], observed, catalogue_rule)
        for dim in catalogue_rule["dimensions"]
    )
    present = {d.dimension for d in dimensions if d.present}
    population = "child" if is_child else "adult"
    requirements = tuple(
        RequirementResult(
            requirement=req["requirement"],
            met=any(code in present for code in req["any_of"]),
            dimensions_present=tuple(code for code in req["any_of"] if code in present),
        )
        for req in catalogue_rule["presumed_victim"][population]
    )
    indications = sum(len(d.counted) for d in dimensions)
    if all(r.met for r in requirements):
        outcome = Outcome.PRESUMED_VICTIM
    elif indications >= catalogue_rule["insufficient_indications"]["min_indicators_present"]:
        outcome = Outcome.INSUFFICIENT_INDICATIONS
    else:
        outcome = Outcome.NOT_INDICATED
    return Assessment(
        catalogue_version=version,
        is_child=is_child,
        outcome=outcome,
        indicators_present=tuple(ind.code for ind in observed),
        dimensions=dimensions,
        requirements=requirements,
        rule=catalogue_rule,
        indicators=indicators_by_code,
    )


def _catalogue_version(indicators_by_code: Mapping[str, IndicatorDef]) -> str:
    for indicator in indicators_by_code.values():
        return indicator.catalogue_version
    return ""


def _unknown(code: str, version: str) -> ServiceError:
    return ServiceError(
        f"answers.{code}",
        gettext("%(code)s is not an indicator of catalogue version %(version)s.")
        % {"code": code, "version": version},
    )


def _validated_answers(
    indicators_by_code: Mapping[str, IndicatorDef],
    answers: Mapping[str, bool],
    *,
    is_child: bool,
    version: str,
) -> list[IndicatorDef]:
    """The indicators observed, in catalogue order, after refusing anything malformed."""
    if not isinstance(answers, Mapping):
        raise ServiceError("answers", gettext("Answers must map indicator codes to true or false."))
    wrong_population = Population.ADULT if is_child else Population.CHILD
    for code in sorted(answers, key=str):
        indicator = indicators_by_code.get(code) if isinstance(code, str) else None
        if indicator is None:
            raise _unknown(str(code), version)
        if indicator.is_question:
            raise ServiceError(
                f"answers.{code}",
                gettext("%(code)s is a question of the short screen, not a screening indicator.")
                % {"code": code},
            )
        if indicator.population == wrong_population:
            message = (
                gettext(
                    "%(code)s is graded for adults; a child is screened with the children's lists."
                )
                if is_child
                else gettext(
                    "%(code)s is graded for children; an adult is screened with the adults' lists."
                )
            )
            raise ServiceError(f"answers.{code}", message % {"code": code})
        if not isinstance(answers[code], bool):
            raise ServiceError(
                f"answers.{code}",
                gettext("Answer true (observed) or false (not observed)."),
            )
    return [ind for code, ind in indicators_by_code.items() if answers.get(code) is True]


def _assess_dimension(
    dimension: str, observed: Sequence[IndicatorDef], rule: Mapping[str, Any]
) -> DimensionResult:
    best: dict[str, IndicatorDef] = {}  # concept -> the observed indicator that counts for it
    for indicator in observed:
        if indicator.dimension != dimension:
            continue
        held = best.get(indicator.concept)
        if held is None or _GRADE_RANK[indicator.grade] < _GRADE_RANK[held.grade]:
            best[indicator.concept] = indicator
    counted_set = {ind.code for ind in best.values()}
    counted = tuple(ind.code for ind in observed if ind.code in counted_set)
    also = tuple(
        ind.code for ind in observed if ind.dimension == dimension and ind.code not in counted_set
    )
    counts = {grade.value: 0 for grade in GRADE_ORDER}
    for indicator in best.values():
        counts[indicator.grade] += 1
    combination = next(
        (
            index
            for index, terms in enumerate(rule["dimension_present_when_any_of"])
            if all(sum(counts[g] for g in t["grades"]) >= t["at_least"] for t in terms)
        ),
        None,
    )
    return DimensionResult(
        dimension=dimension,
        present=combination is not None,
        counted=counted,
        also_observed=also,
        counts=counts,
        combination=combination,
    )


# --- Short screen (clinical settings) -----------------------------------------------------------


@dataclass(frozen=True)
class ShortScreenRequirement:
    requirement: str
    met: bool
    yes: tuple[str, ...]  # the questions answered yes that count for it


@dataclass(frozen=True)
class ShortScreenResult:
    catalogue_version: str
    is_child: bool
    outcome: ShortScreenOutcome
    yes: tuple[str, ...]
    unsure: tuple[str, ...]
    requirements: tuple[ShortScreenRequirement, ...]
    # Indicators of the lists for the person's age group that the "yes" answers point to: where
    # the full screening starts.
    suggested_indicators: tuple[str, ...]
    rule: Mapping[str, Any] = field(repr=False, compare=False)
    indicators: Mapping[str, IndicatorDef] = field(repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "catalogue_version": self.catalogue_version,
            "is_child": self.is_child,
            "outcome": self.outcome.value,
            "yes": list(self.yes),
            "unsure": list(self.unsure),
            "requirements": [
                {"requirement": r.requirement, "met": r.met, "yes": list(r.yes)}
                for r in self.requirements
            ],
            "suggested_indicators": list(self.suggested_indicators),
        }

    def explanation(self, language: str | None = None) -> list[str]:
        return _explain_short_screen(self, language)


def assess_short_screen(
    catalogue_rule: Mapping[str, Any],
    indicators_by_code: Mapping[str, IndicatorDef],
    answers: Mapping[str, str],
    *,
    is_child: bool,
) -> ShortScreenResult:
    """Apply the short-screen rule to yes / no / unsure answers; every question is required."""
    version = _catalogue_version(indicators_by_code)
    questions = [ind for ind in indicators_by_code.values() if ind.is_question]
    if not isinstance(answers, Mapping):
        raise ServiceError("answers", gettext("Answers must map questions to yes, no or unsure."))
    for code in sorted(answers, key=str):
        indicator = indicators_by_code.get(code) if isinstance(code, str) else None
        if indicator is None:
            raise _unknown(str(code), version)
        if not indicator.is_question:
            raise ServiceError(
                f"answers.{code}",
                gettext("%(code)s is a screening indicator, not a question of the short screen.")
                % {"code": code},
            )
        if answers[code] not in ShortScreenAnswer.values:
            raise ServiceError(f"answers.{code}", gettext("Answer yes, no or unsure."))
    for question in questions:
        if question.code not in answers:
            raise ServiceError(
                f"answers.{question.code}",
                gettext("Every question must be answered (yes, no or unsure)."),
            )

    yes = tuple(q.code for q in questions if answers[q.code] == ShortScreenAnswer.YES)
    unsure = tuple(q.code for q in questions if answers[q.code] == ShortScreenAnswer.UNSURE)
    rule = catalogue_rule["short_screen"]
    population = "child" if is_child else "adult"
    requirements = []
    for req in rule["presumed_victim"][population]:
        counting = tuple(code for code in req["questions"] if code in yes)
        requirements.append(
            ShortScreenRequirement(
                requirement=req["requirement"],
                met=len(counting) >= req["min_yes"],
                yes=counting,
            )
        )
    if all(r.met for r in requirements):
        outcome = ShortScreenOutcome.PRESUMED_VICTIM
    elif len(yes) + len(unsure) >= rule["refer_for_full_screening"]["min_yes_or_unsure"]:
        outcome = ShortScreenOutcome.REFER_FOR_FULL_SCREENING
    else:
        outcome = ShortScreenOutcome.NOT_INDICATED

    wrong_population = Population.ADULT if is_child else Population.CHILD
    suggested = []
    for code in yes:
        for target in indicators_by_code[code].maps_to:
            indicator = indicators_by_code.get(target)
            if indicator and indicator.population != wrong_population and target not in suggested:
                suggested.append(target)
    return ShortScreenResult(
        catalogue_version=version,
        is_child=is_child,
        outcome=outcome,
        yes=yes,
        unsure=unsure,
        requirements=tuple(requirements),
        suggested_indicators=tuple(suggested),
        rule=catalogue_rule,
        indicators=indicators_by_code,
    )


# --- Plain words --------------------------------------------------------------------------------


def _grade_label(grade: str) -> str:
    return str(Grade(grade).label)


def _term_words(term: Mapping[str, Any]) -> str:
    grades = [_grade_label(g) for g in term["grades"]]
    # Outside the f-string: xgettext does not see calls inside one, so " or " was never extracted.
    either = gettext(" or ")
    return f"{term['at_least']} {either.join(grades)}"


def combination_words(terms: Sequence[Mapping[str, Any]]) -> str:
    """E.g. "1 strong and 1 medium or weak"."""
    return gettext(" and ").join(_term_words(t) for t in terms)


def rule_words(rule: Mapping[str, Any]) -> str:
    """E.g. "2 strong, or 1 strong and 1 medium or weak, or 3 medium, or ..."."""
    return gettext(", or ").join(
        combination_words(c) for c in rule["dimension_present_when_any_of"]
    )


def _count_words(grade: str, count: int) -> str:
    # English needs no noun ("2 strong"); Romanian and Ukrainian say "2 indicatori puternici".
    if grade == Grade.STRONG:
        words = ngettext("%(count)d strong", "%(count)d strong", count)
    elif grade == Grade.MEDIUM:
        words = ngettext("%(count)d medium", "%(count)d medium", count)
    else:
        words = ngettext("%(count)d weak", "%(count)d weak", count)
    return words % {"count": count}


def _counts_words(counts: Mapping[str, int]) -> str:
    parts = [_count_words(g.value, counts[g.value]) for g in GRADE_ORDER if counts[g.value]]
    return ", ".join(parts)


def _joined(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return gettext("%(first)s and %(last)s") % {
        "first": ", ".join(items[:-1]),
        "last": items[-1],
    }


def _explain(result: Assessment, language: str | None) -> list[str]:
    rule = result.rule
    labels = {dim["code"]: _text(dim, language) for dim in rule["dimensions"]}
    population = "child" if result.is_child else "adult"
    requirement_rules = {r["requirement"]: r for r in rule["presumed_victim"][population]}
    requirement_texts = [
        _text(requirement_rules[r.requirement], language) for r in result.requirements
    ]
    required = (
        gettext("For a child, the rule requires %(requirements)s.")
        if result.is_child
        else gettext("For an adult, the rule requires %(requirements)s.")
    ) % {"requirements": _joined(requirement_texts)}
    indications = sum(len(d.counted) for d in result.dimensions)

    lines = []
    if result.outcome == Outcome.PRESUMED_VICTIM:
        lines.append(gettext("Presumed victim: every requirement of the rule is met."))
        lines.append(required)
    elif result.outcome == Outcome.INSUFFICIENT_INDICATIONS:
        missing = [
            _text(requirement_rules[r.requirement], language)
            for r in result.requirements
            if not r.met
        ]
        lines.append(
            ngettext(
                "Insufficient indications: %(count)d indication was observed, "
                "but the rule is not met.",
                "Insufficient indications: %(count)d indications were observed, "
                "but the rule is not met.",
                indications,
            )
            % {"count": indications}
        )
        lines.append(required)
        lines.append(gettext("Missing: %(missing)s.") % {"missing": _joined(missing)})
    else:
        lines.append(gettext("Not indicated: no indicator was observed."))
        lines.append(required)

    for req in result.requirements:
        if req.met:
            lines.append(
                gettext("Met: %(requirement)s, by %(dimensions)s.")
                % {
                    "requirement": _text(requirement_rules[req.requirement], language),
                    "dimensions": _joined([labels[d] for d in req.dimensions_present]),
                }
            )

    for dim in result.dimensions:
        if not dim.counted:
            continue
        observed = "; ".join(
            f"{code} {result.indicators[code].text(language)}" for code in dim.counted
        )
        if dim.present:
            combination = rule["dimension_present_when_any_of"][dim.combination]
            lines.append(
                gettext(
                    "%(dimension)s: present (%(counts)s, enough as %(combination)s): %(observed)s."
                )
                % {
                    "dimension": labels[dim.dimension],
                    "counts": _counts_words(dim.counts),
                    "combination": combination_words(combination),
                    "observed": observed,
                }
            )
        else:
            lines.append(
                gettext("%(dimension)s: not present (%(counts)s; needs %(needed)s): %(observed)s.")
                % {
                    "dimension": labels[dim.dimension],
                    "counts": _counts_words(dim.counts),
                    "needed": rule_words(rule),
                    "observed": observed,
                }
            )
        for code in dim.also_observed:
            same = next(
                c
                for c in dim.counted
                if result.indicators[c].concept == result.indicators[code].concept
            )
            lines.append(
                gettext("%(code)s is the same indication as %(same)s and counts once.")
                % {"code": code, "same": same}
            )
    return lines


def _explain_short_screen(result: ShortScreenResult, language: str | None) -> list[str]:
    population = "child" if result.is_child else "adult"
    rules = {
        r["requirement"]: r for r in result.rule["short_screen"]["presumed_victim"][population]
    }
    lines = []
    if result.outcome == ShortScreenOutcome.PRESUMED_VICTIM:
        lines.append(gettext("Presumed victim: refer now; a full screening follows."))
    elif result.outcome == ShortScreenOutcome.REFER_FOR_FULL_SCREENING:
        lines.append(
            gettext(
                "Refer for full screening: some answers are yes or unsure, "
                "but not enough for a presumed victim."
            )
        )
    else:
        lines.append(gettext("Not indicated: every answer is no."))
    for req in result.requirements:
        template = (
            gettext("Met: %(requirement)s.") if req.met else gettext("Not met: %(requirement)s.")
        )
        lines.append(template % {"requirement": _text(rules[req.requirement], language)})
    if result.yes:
        lines.append(gettext("Yes: %(questions)s.") % {"questions": ", ".join(result.yes)})
    if result.unsure:
        lines.append(gettext("Unsure: %(questions)s.") % {"questions": ", ".join(result.unsure)})
    return lines
