"""The comparison levels behind a score, in the reader's language.

The engine (Django-free, ADR 0010) names each level of its comparisons in English, and those
names are stored with every review pair. They are translated here, where they are shown; a name
this table does not know (a model trained by another version) is shown as the engine wrote it.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

LEVELS = {
    "All other comparisons": _("different"),
    "missing": _("not recorded on one side"),
    "given name exactly equal": _("the same, letter for letter"),
    "family name exactly equal": _("the same, letter for letter"),
    "same after transliteration": _("the same after transliteration"),
    "variants of one name (nickname, other language)": _(
        "variants of one name (nickname, other language)"
    ),
    "variants of one name": _("variants of one name (nickname, other language)"),
    "share one of several given names": _("one of several given names in common"),
    "given name = other's family name (swapped)": _("given and family names swapped"),
    "family name = other's given name (swapped)": _("given and family names swapped"),
    "swapped with the other name": _("given and family names swapped"),
    "two different established given names": _("two different, well-established given names"),
    "one typo": _("one typing mistake apart"),
    "very similar": _("very similar"),
    "similar": _("similar"),
    "same name": _("the same"),
    "date of birth equal": _("the same date"),
    "same date of birth": _("the same date"),
    "day and month swapped": _("day and month swapped"),
    "same day, year off by one": _("same day and month, the year off by one"),
    "same birthday, year off by one": _("same day and month, the year off by one"),
    "same birthday, another year": _("same day and month, another year"),
    "same year, one only partly known": _("same year, one date only partly known"),
    "one date partly known, inside the other": _("one date partly known, and it fits the other"),
    "one date partly known, a year away": _("one date partly known, a year away"),
    "within a week": _("within a week"),
    "within a week or so": _("within a week"),
    "within a year": _("within a year"),
    "same place": _("the same place"),
    "same": _("the same"),
    "Moldovan and Romanian": _("Moldovan and Romanian (often both)"),
    "Exact match on sex": _("the same"),
    "same number": _("the same number"),
    "one digit off": _("one digit different"),
    "same identity number": _("the same number"),
    "one character different": _("one character different"),
    "fewer attributes known, all of them agree": _("fewer details known, all of them agree"),
}
_NOT_RECORDED = re.compile(r"^\S+ is NULL$")
_DICE = re.compile(r"^Dice >= ([0-9.]+)$")


def level_label(name: str) -> str:
    """The reader's words for the engine's name of a comparison level."""
    if _NOT_RECORDED.match(name):
        return gettext("not recorded on one side")
    dice = _DICE.match(name)
    if dice:
        return gettext("similar encodings (at least %(threshold)s)") % {"threshold": dice.group(1)}
    label = LEVELS.get(name)
    return str(label) if label is not None else name
