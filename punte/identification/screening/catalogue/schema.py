"""Reading and checking a catalogue file, without the database.

`read_catalogue(path)` returns a `CatalogueData` whose every part has been checked: a file that
loads is one the engine can apply. Anything wrong raises `CatalogueError` naming where, e.g.
`lists[adult_labour].indicators[AL-DR-03].grade: 'stron' is not one of strong, medium, weak`.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from punte.identification.screening.assessment import IndicatorDef
from punte.identification.screening.catalogue.vocabulary import (
    DIMENSION_ABBREVIATION,
    LIST_PREFIX,
    Dimension,
    Grade,
    IndicatorList,
)

CATALOGUE_DIR = Path(__file__).resolve().parent
MAX_SHORT_SCREEN_QUESTIONS = 6
STAGES = ("recruitment", "exploitation", "destination")
_VERSION = re.compile(r"^[a-z0-9][a-z0-9.-]{0,39}$")
_SLUG = re.compile(r"^[a-z0-9_]{1,64}$")
_QUESTION_CODE = re.compile(r"^SS-[1-9]$")
# Romanian is written with comma-below ș ț; the cedilla forms are a common encoding mistake.
_CEDILLA = re.compile("[şţŞŢ]")


class CatalogueError(Exception):
    def __init__(self, where: str, message: str):
        super().__init__(f"{where}: {message}" if where else message)
        self.where = where
        self.message = message


@dataclass(frozen=True)
class CatalogueData:
    version: str
    title: str
    title_ro: str
    published_at: datetime.date
    sources: list[dict[str, Any]]
    lists: list[dict[str, Any]]  # list metadata, without the indicators
    rule: dict[str, Any]
    indicators: dict[str, IndicatorDef]  # in file order
    checksum: str


class _StrictLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml when present
    """PyYAML keeps the last of two equal keys silently; a catalogue must not."""


def _mapping_without_duplicates(loader, node, deep=False):
    seen = set()
    for key_node, _value in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise CatalogueError(
                f"line {key_node.start_mark.line + 1}", f"the key {key!r} appears twice"
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates
)


def checksum(document: Any) -> str:
    """SHA-256 of the parsed content: comments and layout of the file do not change it."""
    canonical = json.dumps(
        document, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def default_files() -> list[Path]:
    return sorted(CATALOGUE_DIR.glob("*.yaml"))


def read_catalogue(path: Path | str) -> CatalogueData:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise CatalogueError("", f"{path}: no such file") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogueError("", f"{path}: cannot be read ({exc.__class__.__name__})") from exc
    return parse_catalogue(text)


def parse_catalogue(text: str) -> CatalogueData:
    try:
        document = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else ""
        raise CatalogueError(where, f"not valid YAML ({getattr(exc, 'problem', exc)})") from exc
    return validate(document)


# --- Checks -------------------------------------------------------------------------------------


def _keys(where: str, value: Any, required: set[str], optional: frozenset[str] = frozenset()):
    if not isinstance(value, dict):
        raise CatalogueError(where, "must be a mapping")
    missing = required - value.keys()
    if missing:
        raise CatalogueError(where, f"missing {', '.join(sorted(missing))}")
    unknown = value.keys() - required - optional
    if unknown:
        raise CatalogueError(where, f"unknown key(s) {', '.join(sorted(map(str, unknown)))}")


def _text(where: str, value: Any, *, romanian: bool = False) -> str:
    if not isinstance(value, str) or not value.strip():
        raise CatalogueError(where, "must be a non-empty text")
    if value != value.strip():
        raise CatalogueError(where, "must not start or end with spaces")
    if romanian and _CEDILLA.search(value):
        raise CatalogueError(where, "uses ş/ţ with a cedilla; Romanian is written with ș/ț")
    return value


def _one_of(where: str, value: Any, allowed) -> str:
    allowed = list(allowed)
    if value not in allowed:
        raise CatalogueError(where, f"{value!r} is not one of {', '.join(map(str, allowed))}")
    return value


def _list(where: str, value: Any, *, non_empty: bool = True) -> list:
    if not isinstance(value, list):
        raise CatalogueError(where, "must be a list")
    if non_empty and not value:
        raise CatalogueError(where, "must not be empty")
    return value


def _count(where: str, value: Any, *, maximum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise CatalogueError(where, "must be a whole number of at least 1")
    if maximum is not None and value > maximum:
        raise CatalogueError(where, f"must be at most {maximum}")
    return value


def validate(document: Any) -> CatalogueData:
    _keys(
        "",
        document,
        {"version", "title", "title_ro", "published_at", "sources", "rule", "lists"},
    )
    version = document["version"]
    if not isinstance(version, str) or not _VERSION.match(version):
        raise CatalogueError(
            "version",
            "must be 1-40 lowercase letters, digits, dots or hyphens (e.g. ilo-ec-2009-v1)",
        )
    _text("title", document["title"])
    _text("title_ro", document["title_ro"], romanian=True)
    published_at = document["published_at"]
    if not isinstance(published_at, datetime.date) or isinstance(published_at, datetime.datetime):
        raise CatalogueError("published_at", "must be a date (YYYY-MM-DD)")

    source_ids = set()
    for i, source in enumerate(_list("sources", document["sources"])):
        where = f"sources[{i}]"
        _keys(where, source, {"id", "citation"}, frozenset({"url"}))
        if not isinstance(source["id"], str) or not re.match(r"^[a-z0-9-]+$", source["id"]):
            raise CatalogueError(f"{where}.id", "must be lowercase letters, digits and hyphens")
        if source["id"] in source_ids:
            raise CatalogueError(f"{where}.id", f"{source['id']!r} appears twice")
        source_ids.add(source["id"])
        _text(f"{where}.citation", source["citation"])
        if "url" in source and not str(source["url"]).startswith("https://"):
            raise CatalogueError(f"{where}.url", "must be an https:// address")

    indicators, lists = _validate_lists(document["lists"], version=version, source_ids=source_ids)
    _validate_rule(document["rule"], indicators)
    return CatalogueData(
        version=version,
        title=document["title"],
        title_ro=document["title_ro"],
        published_at=published_at,
        sources=document["sources"],
        lists=lists,
        rule=document["rule"],
        indicators=indicators,
        checksum=checksum(document),
    )


_BASE_LISTS = {
    IndicatorList.ADULT_LABOUR,
    IndicatorList.ADULT_SEXUAL,
    IndicatorList.CHILD_LABOUR,
    IndicatorList.CHILD_SEXUAL,
}


def _validate_lists(value: Any, *, version: str, source_ids: set[str]):
    indicators: dict[str, IndicatorDef] = {}
    lists: list[dict[str, Any]] = []
    for i, entry in enumerate(_list("lists", value)):
        where = f"lists[{i}]"
        _keys(
            where,
            entry,
            {"list", "source", "text_en", "text_ro", "indicators"},
            frozenset({"use_with"}),
        )
        name = _one_of(f"{where}.list", entry["list"], IndicatorList.values)
        where = f"lists[{name}]"
        if any(item["list"] == name for item in lists):
            raise CatalogueError(where, "this list appears twice")
        _one_of(f"{where}.source", entry["source"], sorted(source_ids))
        _text(f"{where}.text_en", entry["text_en"])
        _text(f"{where}.text_ro", entry["text_ro"], romanian=True)
        use_with = entry.get("use_with", [])
        if use_with:
            if name in _BASE_LISTS or name == IndicatorList.CLINICAL:
                raise CatalogueError(
                    f"{where}.use_with", "only extension lists are used with others"
                )
            for j, other in enumerate(_list(f"{where}.use_with", use_with)):
                _one_of(f"{where}.use_with[{j}]", other, sorted(_BASE_LISTS))
        lists.append({k: v for k, v in entry.items() if k != "indicators"})

        seen_concepts = set()
        items = _list(f"{where}.indicators", entry["indicators"])
        if name == IndicatorList.CLINICAL and len(items) > MAX_SHORT_SCREEN_QUESTIONS:
            raise CatalogueError(
                f"{where}.indicators",
                f"the short screen has at most {MAX_SHORT_SCREEN_QUESTIONS} questions",
            )
        for j, item in enumerate(items):
            indicator = _validate_indicator(f"{where}.indicators[{j}]", item, name, version)
            place = f"{where}.indicators[{indicator.code}]"
            if indicator.code in indicators:
                raise CatalogueError(f"{place}.code", f"{indicator.code} appears twice")
            key = (indicator.dimension, indicator.concept)
            if key in seen_concepts:
                raise CatalogueError(
                    f"{place}.concept", f"{indicator.concept!r} appears twice in this dimension"
                )
            seen_concepts.add(key)
            indicators[indicator.code] = indicator

    present = {item["list"] for item in lists}
    missing = _BASE_LISTS - present
    if missing:
        raise CatalogueError("lists", f"missing {', '.join(sorted(missing))}")
    # Questions point to indicators of the other lists; check once every list is read.
    for indicator in indicators.values():
        for target in indicator.maps_to:
            where = f"lists[clinical].indicators[{indicator.code}].maps_to"
            found = indicators.get(target)
            if found is None:
                raise CatalogueError(where, f"{target} is not an indicator of this catalogue")
            if found.is_question:
                raise CatalogueError(where, f"{target} is a question, not an indicator")
    return indicators, lists


def _validate_indicator(where: str, item: Any, list_name: str, version: str) -> IndicatorDef:
    clinical = list_name == IndicatorList.CLINICAL
    if clinical:
        _keys(where, item, {"code", "dimension", "concept", "text_en", "text_ro", "maps_to"})
    else:
        _keys(where, item, {"code", "dimension", "grade", "concept", "text_en", "text_ro"})
    code = item["code"]
    if not isinstance(code, str):
        raise CatalogueError(f"{where}.code", "must be a text")
    where = re.sub(r"\[\d+\]$", f"[{code}]", where)
    dimension = _one_of(f"{where}.dimension", item["dimension"], Dimension.values)
    if clinical:
        if not _QUESTION_CODE.match(code):
            raise CatalogueError(f"{where}.code", "short-screen questions are SS-1 to SS-9")
        grade = ""
        maps_to = tuple(_list(f"{where}.maps_to", item["maps_to"]))
        if not all(isinstance(target, str) for target in maps_to):
            raise CatalogueError(f"{where}.maps_to", "must list indicator codes")
    else:
        prefix = LIST_PREFIX[IndicatorList(list_name)]
        expected = f"{prefix}-{DIMENSION_ABBREVIATION[Dimension(dimension)]}-"
        if not re.match(rf"^{expected}\d{{2}}$", code):
            raise CatalogueError(
                f"{where}.code", f"must read {expected}NN for list {list_name} and this dimension"
            )
        grade = _one_of(f"{where}.grade", item["grade"], Grade.values)
        maps_to = ()
    concept = item["concept"]
    if not isinstance(concept, str) or not _SLUG.match(concept):
        raise CatalogueError(f"{where}.concept", "must be lowercase letters, digits and _")
    return IndicatorDef(
        catalogue_version=version,
        code=code,
        list=list_name,
        dimension=dimension,
        grade=grade,
        concept=concept,
        text_en=_text(f"{where}.text_en", item["text_en"]),
        text_ro=_text(f"{where}.text_ro", item["text_ro"], romanian=True),
        maps_to=maps_to,
    )


def _validate_rule(rule: Any, indicators: dict[str, IndicatorDef]) -> None:
    _keys(
        "rule",
        rule,
        {
            "dimensions",
            "dimension_present_when_any_of",
            "presumed_victim",
            "insufficient_indications",
            "short_screen",
        },
    )
    codes = []
    for i, dim in enumerate(_list("rule.dimensions", rule["dimensions"])):
        where = f"rule.dimensions[{i}]"
        _keys(where, dim, {"code", "stage", "text_en", "text_ro"})
        codes.append(_one_of(f"{where}.code", dim["code"], Dimension.values))
        _one_of(f"{where}.stage", dim["stage"], STAGES)
        _text(f"{where}.text_en", dim["text_en"])
        _text(f"{where}.text_ro", dim["text_ro"], romanian=True)
    if sorted(codes) != sorted(Dimension.values):
        raise CatalogueError("rule.dimensions", "must list each of the six dimensions once")

    for i, combination in enumerate(
        _list("rule.dimension_present_when_any_of", rule["dimension_present_when_any_of"])
    ):
        where = f"rule.dimension_present_when_any_of[{i}]"
        used: set[str] = set()
        for j, term in enumerate(_list(where, combination)):
            _keys(f"{where}[{j}]", term, {"grades", "at_least"})
            grades = _list(f"{where}[{j}].grades", term["grades"])
            for grade in grades:
                _one_of(f"{where}[{j}].grades", grade, Grade.values)
            if used & set(grades) or len(set(grades)) != len(grades):
                # Overlapping terms would count one indicator twice.
                raise CatalogueError(
                    f"{where}[{j}].grades", "a grade may appear once per combination"
                )
            used |= set(grades)
            _count(f"{where}[{j}].at_least", term["at_least"])

    _keys("rule.presumed_victim", rule["presumed_victim"], {"adult", "child"})
    for population in ("adult", "child"):
        base = f"rule.presumed_victim.{population}"
        names = set()
        for i, req in enumerate(_list(base, rule["presumed_victim"][population])):
            where = f"{base}[{i}]"
            _keys(where, req, {"requirement", "text_en", "text_ro", "any_of"})
            names.add(_requirement_name(f"{where}.requirement", req["requirement"], names))
            _text(f"{where}.text_en", req["text_en"])
            _text(f"{where}.text_ro", req["text_ro"], romanian=True)
            for j, dim in enumerate(_list(f"{where}.any_of", req["any_of"])):
                _one_of(f"{where}.any_of[{j}]", dim, Dimension.values)

    _keys(
        "rule.insufficient_indications",
        rule["insufficient_indications"],
        {"min_indicators_present"},
    )
    _count(
        "rule.insufficient_indications.min_indicators_present",
        rule["insufficient_indications"]["min_indicators_present"],
    )

    questions = [code for code, ind in indicators.items() if ind.is_question]
    short = rule["short_screen"]
    _keys("rule.short_screen", short, {"presumed_victim", "refer_for_full_screening"})
    if not questions:
        raise CatalogueError("rule.short_screen", "there is no clinical list with questions")
    _keys("rule.short_screen.presumed_victim", short["presumed_victim"], {"adult", "child"})
    for population in ("adult", "child"):
        base = f"rule.short_screen.presumed_victim.{population}"
        names = set()
        for i, req in enumerate(_list(base, short["presumed_victim"][population])):
            where = f"{base}[{i}]"
            _keys(where, req, {"requirement", "text_en", "text_ro", "questions", "min_yes"})
            names.add(_requirement_name(f"{where}.requirement", req["requirement"], names))
            _text(f"{where}.text_en", req["text_en"])
            _text(f"{where}.text_ro", req["text_ro"], romanian=True)
            asked = _list(f"{where}.questions", req["questions"])
            for j, code in enumerate(asked):
                _one_of(f"{where}.questions[{j}]", code, questions)
            _count(f"{where}.min_yes", req["min_yes"], maximum=len(asked))
    _keys(
        "rule.short_screen.refer_for_full_screening",
        short["refer_for_full_screening"],
        {"min_yes_or_unsure"},
    )
    _count(
        "rule.short_screen.refer_for_full_screening.min_yes_or_unsure",
        short["refer_for_full_screening"]["min_yes_or_unsure"],
        maximum=len(questions),
    )


def _requirement_name(where: str, value: Any, taken: set[str]) -> str:
    if not isinstance(value, str) or not _SLUG.match(value):
        raise CatalogueError(where, "must be lowercase letters, digits and _")
    if value in taken:
        raise CatalogueError(where, f"{value!r} appears twice")
    return value
