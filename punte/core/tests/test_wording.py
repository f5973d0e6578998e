"""Wording of versioned data in Ukrainian (punte.core.wording): the short screen and the routing
rules are complete, nothing in the files is stale, and a missing text falls back to English."""

from __future__ import annotations

from punte.core.wording import _key, translated, wording
from punte.identification.screening.assessment import _CATALOGUE_DIR
from punte.identification.screening.catalogue.schema import default_files, read_catalogue
from punte.referrals.models import RULES_WORDING
from punte.referrals.rules import default_files as rule_files
from punte.referrals.rules import read_rules


def _short_screen_texts() -> set[str]:
    texts = set()
    for path in default_files():
        catalogue = read_catalogue(path)
        questions = [item for item in catalogue.indicators.values() if item.is_question]
        texts |= {_key(item.text_en) for item in questions}
        # What a short screen's result lists as where the full screening starts.
        texts |= {
            _key(catalogue.indicators[code].text_en) for item in questions for code in item.maps_to
        }
        for requirements in catalogue.rule["short_screen"]["presumed_victim"].values():
            texts |= {_key(req["text_en"]) for req in requirements}
    return texts


def _rule_texts() -> set[str]:
    return {
        _key(rule["explanation"]["en"]) for path in rule_files() for rule in read_rules(path).rules
    }


def test_the_short_screen_is_worded_in_ukrainian_and_nothing_is_stale():
    ukrainian = wording(_CATALOGUE_DIR, "uk")
    needed = _short_screen_texts()
    assert needed and needed <= set(ukrainian), needed - set(ukrainian)
    assert set(ukrainian) <= needed, "stale wording (its English text is in no catalogue)"


def test_every_routing_rule_is_explained_in_ukrainian_and_nothing_is_stale():
    ukrainian = wording(RULES_WORDING, "uk")
    assert _rule_texts() == set(ukrainian)


def test_a_text_without_wording_stays_english_and_romanian_is_never_a_fallback():
    assert translated("Not worded yet.", language="uk", directory=_CATALOGUE_DIR) == (
        "Not worded yet."
    )
    question = "Does someone else keep your identity card or passport?"
    assert translated(question, language="uk", directory=_CATALOGUE_DIR).startswith("Чи")
    assert translated(question, language="en", directory=_CATALOGUE_DIR) == question
