"""Wording of versioned data in Ukrainian (punte.core.wording): every text the pages show of the
indicator catalogues and routing rules in force reads in Ukrainian, a translation keeps its
placeholders and codes, nothing in the files is stale or given twice, and a missing text falls
back to English."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from django.utils import translation

from punte.core.wording import _key, translated, wording
from punte.identification.screening.assessment import _CATALOGUE_DIR, _text
from punte.identification.screening.catalogue.schema import default_files, read_catalogue
from punte.identification.screening.catalogue.store import catalogue_from_db, load_catalogue_file
from punte.identification.screening.models import IndicatorCatalogue
from punte.referrals.models import RULES_WORDING, RoutingRule
from punte.referrals.rules import default_files as rule_files
from punte.referrals.rules import load_default_rules, read_rules

CYRILLIC = re.compile("[\u0400-\u04ff]")
# What a translation must carry over unchanged: %-placeholders, and the codes, acronyms and
# numbers a reader checks against other documents (SS-2, DGASPC, 678/2001, art. 39^1, 90 days).
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]")
CODE = re.compile(r"\b[A-Z]{2,}(?:-\d+)?\b|\d+(?:\^\d+)?")


def _catalogue_texts(path: Path) -> set[str]:
    """Every English text of a catalogue file, as the wording map keys it."""
    catalogue = read_catalogue(path)
    texts = {_key(item.text_en) for item in catalogue.indicators.values()}
    texts |= {_key(entry["text_en"]) for entry in catalogue.lists}
    texts |= {_key(dim["text_en"]) for dim in catalogue.rule["dimensions"]}
    for rules in (
        catalogue.rule["presumed_victim"],
        catalogue.rule["short_screen"]["presumed_victim"],
    ):
        texts |= {_key(req["text_en"]) for requirements in rules.values() for req in requirements}
    return texts


def _rule_texts() -> set[str]:
    return {
        _key(rule["explanation"]["en"]) for path in rule_files() for rule in read_rules(path).rules
    }


def _shown_in_ukrainian(version: str) -> list[tuple[str, str, str]]:
    """(where, English, what a Ukrainian reader is shown) for every text of a loaded catalogue
    version, read back from the database and worded as the screening pages word it."""
    stored = IndicatorCatalogue.objects.get(version=version)
    loaded = catalogue_from_db(version)
    shown = [
        (f"indicators[{code}]", item.text_en, item.text("uk"))
        for code, item in loaded.indicators.items()
    ]
    shown += [(f"lists[{e['list']}]", e["text_en"], _text(e, "uk")) for e in stored.lists]
    rule = loaded.rule
    shown += [
        (f"rule.dimensions[{d['code']}]", d["text_en"], _text(d, "uk")) for d in rule["dimensions"]
    ]
    for where, rules in (
        ("rule.presumed_victim", rule["presumed_victim"]),
        ("rule.short_screen.presumed_victim", rule["short_screen"]["presumed_victim"]),
    ):
        shown += [
            (f"{where}.{population}[{req['requirement']}]", req["text_en"], _text(req, "uk"))
            for population, requirements in rules.items()
            for req in requirements
        ]
    return shown


def _untranslated(shown: list[tuple[str, str, str]]) -> list[tuple[str, str]]:
    return [
        (where, english)
        for where, english, text in shown
        if _key(text) == _key(english) or not CYRILLIC.search(text)
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("path", default_files(), ids=lambda path: path.stem)
def test_every_text_the_pages_show_of_a_catalogue_in_force_reads_in_ukrainian(path):
    load_catalogue_file(path)
    shown = _shown_in_ukrainian(read_catalogue(path).version)
    assert len(shown) > 300  # the walk reaches every indicator of every list, not a sample
    assert not _untranslated(shown)


def test_the_check_reports_a_text_shown_in_english_or_without_a_ukrainian_letter():
    shown = [
        ("indicators[AL-EX-03]", "Hazardous work", "Hazardous work"),
        ("indicators[AL-EX-04]", "Debt bondage", "Debt bondage (боргова кабала)"),
        ("indicators[AL-EX-07]", "Very bad working conditions", "Very bad working conditions!"),
        ("indicators[AL-EX-05]", "Hazardous work", "Небезпечна робота"),
    ]
    assert _untranslated(shown) == [
        ("indicators[AL-EX-03]", "Hazardous work"),
        ("indicators[AL-EX-07]", "Very bad working conditions"),
    ]


@pytest.mark.django_db
def test_every_routing_rule_in_force_is_explained_in_ukrainian_as_the_pages_show_it():
    load_default_rules()
    rules = list(RoutingRule.objects.all())
    assert rules
    with translation.override("uk"):
        untranslated = [
            rule.code
            for rule in rules
            if _key(rule.explanation) == _key(rule.explanation_en)
            or not CYRILLIC.search(rule.explanation)
        ]
    assert not untranslated


def test_nothing_in_the_wording_files_is_stale():
    catalogue_texts = set().union(*(_catalogue_texts(path) for path in default_files()))
    stale = set(wording(_CATALOGUE_DIR, "uk")) - catalogue_texts
    assert not stale, "wording whose English text is in no catalogue"
    assert set(wording(RULES_WORDING, "uk")) == _rule_texts()


@pytest.mark.parametrize("directory", [_CATALOGUE_DIR, RULES_WORDING], ids=["catalogue", "rules"])
def test_translations_keep_placeholders_and_codes_and_no_text_is_given_twice(directory):
    path = directory / "wording" / "uk.yaml"
    # PyYAML keeps the last of two equal keys silently: look at the document's nodes instead.
    keys = [_key(node.value) for node, _value in yaml.compose(path.read_text("utf-8")).value]
    assert len(keys) == len(set(keys)), "an English text is translated twice"
    for english, ukrainian in wording(directory, "uk").items():
        assert sorted(PLACEHOLDER.findall(ukrainian)) == sorted(PLACEHOLDER.findall(english)), (
            english
        )
        assert set(CODE.findall(ukrainian)) == set(CODE.findall(english)), english
        assert CYRILLIC.search(ukrainian), english


def test_a_text_without_wording_stays_english_and_romanian_is_never_a_fallback():
    assert translated("Not worded yet.", language="uk", directory=_CATALOGUE_DIR) == (
        "Not worded yet."
    )
    question = "Does someone else keep your identity card or passport?"
    assert translated(question, language="uk", directory=_CATALOGUE_DIR).startswith("Чи")
    assert translated(question, language="uk-ua", directory=_CATALOGUE_DIR).startswith("Чи")
    assert translated(question, language="en", directory=_CATALOGUE_DIR) == question
