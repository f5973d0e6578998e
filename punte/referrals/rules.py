"""Routing rules as data: read a rules file, check it, load a version into the database once.

Like the indicator catalogue (ADR 0020): a version is immutable. Loading the same file again is
harmless; a file whose version exists with other content is refused, so a referral always
points to the rule text it was routed by.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.db import IntegrityError, transaction

from punte.accounts.models import OrganisationType
from punte.core import audit
from punte.referrals.models import RoutingCondition, RoutingRule, RoutingRuleSet

RULES_DIR = Path(__file__).resolve().parent / "rules"
# Each step's deadline is given once, in one unit (punte.core.deadlines): the key names both.
STEP_KEYS: dict[str, dict[str, str]] = {
    "respond": {"respond_hours": "hours", "respond_working_days": "working_days"},
    "complete": {"complete_days": "calendar_days", "complete_working_days": "working_days"},
}
DEADLINE_UNITS: dict[str, str] = {
    key: unit for keys in STEP_KEYS.values() for key, unit in keys.items()
}


class RulesError(ValueError):
    """The file breaks the format; the message names where."""


class RulesVersionChanged(RulesError):
    pass


@dataclass(frozen=True)
class RulesData:
    version: str
    title: str
    title_ro: str
    published_at: Any
    sources: list[str]
    service_deadlines: dict[str, dict[str, int]]
    rules: list[dict[str, Any]]
    checksum: str


@dataclass(frozen=True)
class LoadResult:
    version: str
    created: bool
    rules: int


def default_files() -> list[Path]:
    return sorted(RULES_DIR.glob("*.yaml"))


def _deadlines(value: Any, where: str) -> dict[str, dict[str, int]]:
    if not isinstance(value, dict) or set(value) != {"adult", "child"}:
        raise RulesError(f"{where}: give deadlines for exactly `adult` and `child`.")
    for group, steps in value.items():
        if not isinstance(steps, dict):
            raise RulesError(f"{where}.{group}: give one deadline for each step.")
        unknown = sorted(set(steps) - set(DEADLINE_UNITS), key=str)
        if unknown:
            known = ", ".join(DEADLINE_UNITS)
            raise RulesError(f"{where}.{group}.{unknown[0]}: not a deadline; expected {known}.")
        for keys in STEP_KEYS.values():
            given = [key for key in keys if key in steps]
            if len(given) != 1:
                raise RulesError(f"{where}.{group}: give exactly one of {', '.join(keys)}.")
        for step, number in steps.items():
            if not isinstance(number, int) or isinstance(number, bool) or number <= 0:
                raise RulesError(f"{where}.{group}.{step}: a positive whole number is required.")
    return value


def parse_rules(raw: Any) -> RulesData:
    if not isinstance(raw, dict):
        raise RulesError("The file must hold a mapping.")
    required = {"version", "title", "title_ro", "published_at", "sources", "service_deadlines"}
    missing = sorted((required | {"rules"}) - set(raw))
    if missing:
        raise RulesError(f"Missing: {', '.join(missing)}.")
    unknown = sorted(set(raw) - required - {"rules"})
    if unknown:
        raise RulesError(f"Unknown keys: {', '.join(unknown)}.")
    service_deadlines = _deadlines(raw["service_deadlines"], "service_deadlines")
    if not isinstance(raw["rules"], list) or not raw["rules"]:
        raise RulesError("rules: at least one rule is required.")
    types = set(OrganisationType.values)
    rules, codes = [], set()
    for index, rule in enumerate(raw["rules"]):
        where = f"rules[{index}]"
        if not isinstance(rule, dict):
            raise RulesError(f"{where}: a mapping is required.")
        expected = {"code", "when", "target", "deadlines", "explanation"}
        if set(rule) != expected:
            raise RulesError(f"{where}: give exactly {', '.join(sorted(expected))}.")
        if rule["code"] in codes:
            raise RulesError(f"{where}.code: {rule['code']} is used twice.")
        codes.add(rule["code"])
        if rule["when"] not in RoutingCondition.values:
            known = ", ".join(RoutingCondition.values)
            raise RulesError(f"{where}.when: {rule['when']!r} is not one of {known}.")
        if rule["target"] not in types:
            raise RulesError(f"{where}.target: {rule['target']!r} is not an organisation type.")
        explanation = rule["explanation"]
        if not isinstance(explanation, dict) or not all(
            isinstance(explanation.get(lang), str) and explanation[lang].strip()
            for lang in ("en", "ro")
        ):
            raise RulesError(f"{where}.explanation: give the text in `en` and `ro`.")
        rules.append({**rule, "deadlines": _deadlines(rule["deadlines"], f"{where}.deadlines")})
    canonical = json.dumps(raw, sort_keys=True, default=str, ensure_ascii=False)
    return RulesData(
        version=str(raw["version"]),
        title=raw["title"],
        title_ro=raw["title_ro"],
        published_at=raw["published_at"],
        sources=list(raw["sources"]),
        service_deadlines=service_deadlines,
        rules=rules,
        checksum=hashlib.sha256(canonical.encode()).hexdigest(),
    )


def read_rules(path: Path | str) -> RulesData:
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise RulesError(f"{Path(path).name}: not valid YAML ({exc}).") from exc
    return parse_rules(raw)


def load_rules(data: RulesData) -> LoadResult:
    """Create the version if it is new; nothing if loaded with the same content; refuse else."""
    try:
        return _load(data)
    except IntegrityError:  # another loader created it meanwhile: compare with theirs
        return _load(data)


@transaction.atomic
def _load(data: RulesData) -> LoadResult:
    existing = RoutingRuleSet.objects.filter(version=data.version).first()
    if existing is not None:
        if existing.checksum != data.checksum:
            raise RulesVersionChanged(
                f"{data.version} is already loaded with different content. Versions are "
                "immutable: give the changed rules a new version."
            )
        return LoadResult(data.version, False, existing.rules.count())
    ruleset = RoutingRuleSet.objects.create(
        version=data.version,
        title=data.title,
        title_ro=data.title_ro,
        published_at=data.published_at,
        sources=data.sources,
        service_deadlines=data.service_deadlines,
        checksum=data.checksum,
    )
    RoutingRule.objects.bulk_create(
        [
            RoutingRule(
                ruleset=ruleset,
                code=rule["code"],
                position=position,
                when=rule["when"],
                target_type=rule["target"],
                deadlines=rule["deadlines"],
                explanation_en=" ".join(rule["explanation"]["en"].split()),
                explanation_ro=" ".join(rule["explanation"]["ro"].split()),
            )
            for position, rule in enumerate(data.rules)
        ]
    )
    audit.record(
        action="routing_rules.loaded",
        subject=ruleset,
        changes={"version": data.version, "checksum": data.checksum, "rules": len(data.rules)},
    )
    return LoadResult(data.version, True, len(data.rules))


def load_default_rules() -> list[LoadResult]:
    return [load_rules(read_rules(path)) for path in default_files()]


def current_ruleset() -> RoutingRuleSet | None:
    """The version in force: the most recently published one loaded."""
    return RoutingRuleSet.objects.order_by("-published_at", "-id").first()
