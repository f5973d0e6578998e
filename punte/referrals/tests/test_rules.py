import copy

import pytest
import yaml

from punte.referrals.models import RoutingRule, RoutingRuleSet
from punte.referrals.rules import (
    RulesError,
    RulesVersionChanged,
    default_files,
    load_rules,
    parse_rules,
    read_rules,
)

pytestmark = pytest.mark.django_db


def _raw():
    return yaml.safe_load(default_files()[0].read_text(encoding="utf-8"))


def test_the_repository_file_loads_once_and_again_harmlessly():
    data = read_rules(default_files()[0])
    first = load_rules(data)
    assert first.created and first.rules == 4
    again = load_rules(read_rules(default_files()[0]))
    assert not again.created
    assert RoutingRuleSet.objects.count() == 1
    codes = list(RoutingRule.objects.values_list("code", flat=True))
    assert codes == [
        "child-protection",
        "child-prosecutor",
        "foreign-immigration",
        "regional-centre",
    ]
    rule = RoutingRule.objects.get(code="child-protection")
    assert rule.deadlines["child"]["respond_hours"] == 24
    assert "DGASPC" in rule.explanation_ro and "DGASPC" in rule.explanation_en


def test_a_changed_file_with_the_same_version_is_refused_and_nothing_changes():
    load_rules(parse_rules(_raw()))
    changed = _raw()
    changed["rules"][0]["deadlines"]["child"]["respond_hours"] = 48
    with pytest.raises(RulesVersionChanged):
        load_rules(parse_rules(changed))
    rule = RoutingRule.objects.get(code="child-protection")
    assert rule.deadlines["child"]["respond_hours"] == 24


@pytest.mark.parametrize(
    "breakage, message",
    [
        (lambda r: r["rules"][0].update(when="elderly"), "rules[0].when"),
        (lambda r: r["rules"][0].update(target="bakery"), "rules[0].target"),
        (lambda r: r["rules"][0]["deadlines"].pop("child"), "rules[0].deadlines"),
        (lambda r: r["rules"][0]["deadlines"]["adult"].update(respond_hours=0), "respond_hours"),
        (lambda r: r["rules"][0]["explanation"].pop("ro"), "rules[0].explanation"),
        (lambda r: r["rules"][1].update(code="child-protection"), "used twice"),
        (lambda r: r.pop("service_deadlines"), "Missing: service_deadlines"),
        (lambda r: r.update(extra=1), "Unknown keys: extra"),
    ],
)
def test_a_broken_file_is_refused_naming_the_place(breakage, message):
    raw = copy.deepcopy(_raw())
    breakage(raw)
    with pytest.raises(RulesError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_rules(raw)


@pytest.mark.parametrize(
    "steps, message",
    [
        (
            {"respond_hours": 24, "respond_working_days": 1, "complete_days": 30},
            "service_deadlines.adult: give exactly one of respond_hours, respond_working_days",
        ),
        ({"complete_days": 30}, "service_deadlines.adult: give exactly one of respond_hours"),
        (
            {"respond_days": 2, "complete_days": 30},
            "service_deadlines.adult.respond_days: not a deadline",
        ),
        (
            {"respond_working_days": 0, "complete_days": 30},
            "service_deadlines.adult.respond_working_days: a positive whole number",
        ),
    ],
)
def test_a_step_has_one_deadline_in_one_unit(steps, message):
    raw = copy.deepcopy(_raw())
    raw["service_deadlines"]["adult"] = steps
    with pytest.raises(RulesError, match=message.replace("[", r"\[")):
        parse_rules(raw)


def test_working_days_are_a_unit_a_rule_may_choose():
    raw = copy.deepcopy(_raw())
    raw["service_deadlines"]["child"] = {"respond_working_days": 1, "complete_working_days": 10}
    data = parse_rules(raw)
    assert data.service_deadlines["child"] == {
        "respond_working_days": 1,
        "complete_working_days": 10,
    }
