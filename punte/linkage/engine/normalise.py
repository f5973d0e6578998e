"""Turning what agencies wrote into values that can be compared.

Agencies write the same person's name in many ways: with or without diacritics, with cedilla
(ş ţ) or comma (ș ț) forms, in capitals, in Cyrillic, or transliterated from Ukrainian in one
of three styles (Ukrainian official "Hnatiuk", Russian-style "Gnatyuk", Romanian-style
"Hnatiuc"), with a nickname instead of the given name, first and last name swapped. Dates of
birth are sometimes only a year. This module derives, for every value, forms that agree
whenever only the writing differs:

``fold(text)``
    case-folded, Cyrillic transliterated to one canonical Latin form (Ukrainian official
    table), diacritics removed (ș, ş and s become one letter), punctuation and hyphens
    become single spaces. "Ş TEFĂNESCU-Pop" -> "s tefanescu pop".
``name_key(text)``
    a transliteration-neutral skeleton of ``fold``: the spellings that the three
    transliteration styles and Romanian orthography give to one Cyrillic letter are mapped to
    one letter (sh/ș -> s, ch/ci -> c, zh/j -> j, kh/h/g -> h, ts/ț -> t, y/i -> i, k -> c,
    ie/ye -> e, repeated letters collapse). "Hnatiuk", "Gnatyuk", "Hnatiuc" and "Гнатюк"
    all give "hnatiuc". Used for comparison and blocking only, never shown.
``given_name_group(text)``
    the canonical name of a given name's variant group (data/name_variants.yaml): "Ionel",
    "Ioan", "Іван" -> "ion".
``parse_date(text)``
    ISO dates, year-month and year-only values (and the Romanian DD.MM.YYYY) into a
    ``PartialDate``; anything else raises ``DateError`` with a message for the user.

Everything here is deterministic and free of settings, so the same code runs on a workstation
that encodes records for privacy-preserving linkage (see punte.linkage.engine.clk).
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import yaml

DATA_DIR = Path(__file__).parent / "data"

# Ukrainian official transliteration (Cabinet of Ministers resolution 55/2010), in its simple
# (non-positional) form, plus the Russian letters that Ukrainian lacks. One table for both
# languages: "Игорь" (Russian) and "Ігор" (Ukrainian) both fold to "ihor".
CYRILLIC_TO_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie",
    "ж": "zh", "з": "z", "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l",
    "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ь": "", "ю": "iu",
    "я": "ia", "ё": "io", "ъ": "", "ы": "y", "э": "e", "ў": "u",
}  # fmt: skip

# Letters that Unicode decomposition does not reduce to ASCII.
_SPECIAL_LETTERS = {
    "ß": "ss", "ł": "l", "ø": "o", "đ": "d", "æ": "ae", "œ": "oe", "ı": "i", "þ": "th",
    "ð": "d", "ŀ": "l",
}  # fmt: skip

# Apostrophes inside names (Ukrainian "Мар'яна", "D'Angelo") join, they do not separate.
_APOSTROPHES = "'’ʼ`´ʹ‘"
_NON_LETTERS = re.compile(r"[^a-z]+")


@functools.lru_cache(maxsize=200_000)
def fold(text: str | None) -> str:
    """Lower case, Cyrillic in Latin, no diacritics, words separated by one space."""
    if not text:
        return ""
    value = unicodedata.normalize("NFKC", str(text)).casefold()
    for apostrophe in _APOSTROPHES:
        value = value.replace(apostrophe, "")
    out = []
    for ch in value:
        if ch in CYRILLIC_TO_LATIN:
            out.append(CYRILLIC_TO_LATIN[ch])
        elif ch in _SPECIAL_LETTERS:
            out.append(_SPECIAL_LETTERS[ch])
        else:
            out.append(ch)
    # NFKD splits ș (s + comma below) and ş (s + cedilla) alike; dropping the marks merges them.
    decomposed = unicodedata.normalize("NFKD", "".join(out))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NON_LETTERS.sub(" ", stripped).split())


# Applied in order to each folded word. Longer spellings first, so that "shch" is not read as
# "sh" + "ch". The right-hand sides are not pronunciations, only meeting points.
_KEY_STEPS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"shch|sch", "sc"),  # щ: Ukrainian/Russian-style "shch", German-style "sch"
        (r"sh", "s"),  # ш: "sh"; Romanian "ș" is already "s" after folding
        (r"zh", "j"),  # ж: "zh"; Romanian "j"
        (r"ch", "c"),  # ч: "ch"; Romanian "ci/ce"; Romanian "che/chi" (= ке/кі) meets "k" -> c
        (r"c[ie](?=[aou])", "c"),  # Romanian "cia/ciu/ceo" write ча/чу/чо
        (r"kh", "h"),  # х: "kh"; Romanian "h"
        (r"ts|tz", "t"),  # ц: "ts"; Romanian "ț" is already "t"
        (r"ph", "f"),
        (r"th", "t"),
        (r"gh", "g"),  # Romanian "ghe/ghi"; "Gheorghe" meets "George"
        (r"ck|k|q", "c"),
        (r"x", "cs"),
        (r"w", "v"),
        (r"g", "h"),  # г: Ukrainian "h", Russian-style "g", Romanian "h" or "g"
        (r"y", "i"),  # и/й/ы: "y" or "i"; я/ю/є: "ya"/"ia", "yu"/"iu", "ye"/"ie"
        (r"j(?![aeiou])", "i"),  # й written "j" before a consonant or at the end
        (r"ie", "e"),  # є: "ye", "ie" or "e"
        (r"(.)\1+", r"\1"),  # doubled letters: "Yuliia" / "Yuliya" / "Iulia"
    )
)


@functools.lru_cache(maxsize=200_000)
def _word_key(word: str) -> str:
    for pattern, replacement in _KEY_STEPS:
        word = pattern.sub(replacement, word)
    return word


@functools.lru_cache(maxsize=200_000)
def name_key(text: str | None) -> str:
    """The transliteration-neutral skeleton of a name: "Șevcenco", "Shevchenko" -> "sevcenco"."""
    return " ".join(_word_key(word) for word in fold(text).split())


@functools.lru_cache(maxsize=1)
def _variant_table() -> dict[str, str]:
    """name key -> canonical name key, from data/name_variants.yaml."""
    raw = yaml.safe_load((DATA_DIR / "name_variants.yaml").read_text(encoding="utf-8"))
    table: dict[str, str] = {}
    for section in ("male", "female"):
        for group in raw.get(section, []):
            canonical = name_key(str(group[0]))
            for name in group:
                # A name listed twice keeps its first group (see the file's header).
                table.setdefault(name_key(str(name)), canonical)
    return table


def known_given_names() -> frozenset[str]:
    """Keys of every given name listed in the variants file (used to orient swapped names)."""
    return frozenset(_variant_table())


@functools.lru_cache(maxsize=1)
def listed_given_names() -> frozenset[str]:
    """The canonical keys of the variant groups: given names known to be names."""
    return frozenset(_variant_table().values())


@functools.lru_cache(maxsize=200_000)
def given_name_group(text: str | None) -> str:
    """Each word's variant group: "Ionel" -> "ion", "Ana-Maria" -> "ana maria"."""
    table = _variant_table()
    return " ".join(table.get(word, word) for word in name_key(text).split())


# --------------------------------------------------------------------------- dates


class DateError(ValueError):
    """A date of birth that cannot be read; the message is meant for the person who wrote it."""


@dataclasses.dataclass(frozen=True, slots=True)
class PartialDate:
    """A date of birth known to the day, to the month, or only to the year."""

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def precision(self) -> str:
        return "day" if self.day else "month" if self.month else "year"

    def isoformat(self) -> str:
        if self.day:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"


_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_YEAR = re.compile(r"^(\d{4})$")
_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
MIN_YEAR = 1900


def parse_date(text: str | None, *, today: datetime.date | None = None) -> PartialDate | None:
    """An empty value is a missing date (None); a value that is not a date raises DateError."""
    value = (text or "").strip()
    if not value:
        return None
    today = today or datetime.date.today()
    if match := _ISO_DATE.match(value):
        year, month, day = (int(part) for part in match.groups())
    elif match := _DOTTED.match(value):
        day, month, year = (int(part) for part in match.groups())
    elif match := _ISO_MONTH.match(value):
        year, month, day = int(match.group(1)), int(match.group(2)), None
    elif match := _YEAR.match(value):
        year, month, day = int(match.group(1)), None, None
    else:
        raise DateError(
            f"{value!r} is not a date: write YYYY-MM-DD, YYYY-MM or YYYY (or DD.MM.YYYY)"
        )
    if not MIN_YEAR <= year <= today.year:
        raise DateError(f"{value!r}: the year must be between {MIN_YEAR} and {today.year}")
    if month is not None and not 1 <= month <= 12:
        raise DateError(f"{value!r}: there is no month {month}")
    if day is not None:
        try:
            parsed = datetime.date(year, month, day)
        except ValueError as exc:
            raise DateError(f"{value!r} is not a calendar date") from exc
        if parsed > today:
            raise DateError(f"{value!r} is in the future")
    return PartialDate(year, month, day)


# --------------------------------------------------------------------------- other fields

_SEX = {
    "f": "f", "female": "f", "feminin": "f", "femeie": "f", "w": "f", "ж": "f",
    "m": "m", "male": "m", "masculin": "m", "barbat": "m", "bărbat": "m", "ч": "m",
    "x": "x", "other": "x", "altul": "x",
    "": None, "u": None, "unknown": None, "necunoscut": None,
}  # fmt: skip


def normalise_sex(text: str | None) -> str | None:
    """'F', 'female', 'feminin' -> 'f'; empty or unknown -> None; anything else -> ValueError."""
    value = (text or "").strip().casefold()
    if value not in _SEX:
        raise ValueError(f"{text!r} is not a sex: write F, M, X or leave it empty")
    return _SEX[value]


@functools.lru_cache(maxsize=1)
def _country_codes() -> frozenset[str]:
    import pycountry

    return frozenset(country.alpha_2 for country in pycountry.countries)


def normalise_citizenship(text: str | None) -> str | None:
    """An ISO 3166-1 alpha-2 code, upper case; empty -> None; an unknown code -> ValueError."""
    value = (text or "").strip().upper()
    if not value:
        return None
    if value not in _country_codes():
        raise ValueError(f"{text!r} is not an ISO 3166-1 alpha-2 country code (e.g. RO, MD, UA)")
    return value


_NOT_DIGITS = re.compile(r"\D")
_ASCII_NOT_DIGITS = str.maketrans(
    "", "", "".join(chr(c) for c in range(128) if not chr(c).isdigit())
)


def normalise_phone(text: str | None) -> str | None:
    """The last nine digits: "+40 721 234 567", "0721234567" and "0040721234567" agree."""
    text = text or ""
    # Most numbers are ASCII, where deleting what is not 0-9 is several times faster.
    digits = text.translate(_ASCII_NOT_DIGITS) if text.isascii() else _NOT_DIGITS.sub("", text)
    if len(digits) < 6:
        return None
    return digits[-9:]


# What an identity number may be once spaces, dashes and dots are gone: a Romanian CNP
# (13 digits), an identity card's series and number (RX123456), a passport number. Shorter
# values, values without a digit ("NONE", "N/A") and one character repeated ("0000000") are
# what clerks write when the number is unknown: shared by strangers, they must not count as
# a shared identity number.
IDENTITY_NUMBER = re.compile(r"[A-Z0-9]{5,20}")
_IDENTITY_SEPARATORS = re.compile(r"[\s.\-]+")


def normalise_identity_number(text: str | None) -> str | None:
    """A CNP, identity card or passport number without spaces, dashes or dots, upper case;
    empty -> None; anything that cannot be such a number -> ValueError.

    Cyrillic letters (a Ukrainian passport's series) are transliterated as names are, so
    that "КА 123456" and "KA-123-456" agree. The message never quotes the value: an identity
    number identifies a person on its own."""
    value = _IDENTITY_SEPARATORS.sub("", text or "").upper()
    if not value:
        return None
    if not value.isascii():
        value = "".join(c if c.isascii() else fold(c) or c for c in value).upper()
    if (
        not IDENTITY_NUMBER.fullmatch(value)
        or not any(c.isdigit() for c in value)
        or len(set(value)) == 1
    ):
        raise ValueError(
            "not an identity number (5 to 20 letters and digits, at least one digit, once "
            "spaces, dashes and dots are removed); leave it empty when it is not known"
        )
    return value


# --------------------------------------------------------------------------- name order


def swapped_name_orders(
    pairs: Iterable[tuple[str, str]], *, min_evidence: float = 2.0
) -> list[bool]:
    """For (first key, last key) pairs, which were written in the wrong order.

    Learnt from the data itself: a word that appears mostly as a last name and rarely as a
    first name (and the other way round for the other word) was probably swapped. The
    variants file adds the given names it knows as evidence. `min_evidence` is a log-odds
    margin (2.0 ≈ seven times more often in the other column) so that only clear cases move.
    """
    pairs = list(pairs)
    as_first = Counter(first for first, _ in pairs if first)
    as_last = Counter(last for _, last in pairs if last)
    known = known_given_names()
    odds = {
        word: math.log(
            (as_first[word] + 1 + (3.0 if word.split(" ")[0] in known else 0.0))
            / (as_last[word] + 1)
        )
        for word in as_first.keys() | as_last.keys()
    }
    return [
        bool(first and last and odds[last] - odds[first] >= min_evidence) for first, last in pairs
    ]
