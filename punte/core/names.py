"""Country and language names in the reader's language, sorted as that language sorts (ADR 0034).

The reference tables (core.Country, core.Language) keep the ISO codes and an English name from
pycountry; what a person reads comes from the Unicode CLDR through Babel: territory names by
ISO 3166-1 alpha-2, language names by ISO 639-1 where a language has one, else ISO 639-3 (CLDR's
own keys). A language CLDR does not name falls back to the Debian iso-codes translation that
pycountry ships, then to the English name: a person never reads a bare code. Lists are sorted
with ICU's collation for the language (Romanian ă â î ș ț and Ukrainian ґ є і ї are letters of
their own, not accents), not by code point.
"""

from __future__ import annotations

import gettext
from collections.abc import Iterable
from functools import lru_cache

from django.conf import settings
from django.utils import translation


def _language(language: str | None) -> str:
    code = language or translation.get_language() or settings.LANGUAGE_CODE
    return code.split("-")[0].lower()


@lru_cache(maxsize=16)
def _cldr(language: str):
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(language)
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


@lru_cache(maxsize=16)
def _iso_codes(language: str) -> gettext.NullTranslations:
    import pycountry

    return gettext.translation(
        "iso639-3", pycountry.LOCALES_DIR, languages=[language], fallback=True
    )


@lru_cache(maxsize=16)
def _collator(language: str):
    import icu

    collator = icu.Collator.createInstance(icu.Locale(language))
    return collator


def _first_upper(text: str) -> str:
    # CLDR's "uiListOrMenu" transform for Romanian and Ukrainian language names, which are
    # lower-case in running text ("ucraineană") and start with a capital in a list.
    return text[:1].upper() + text[1:]


def country_name(alpha2: str, english: str = "", *, language: str | None = None) -> str:
    """The country's name in `language` (default: the active one)."""
    lang = _language(language)
    name = _cldr(lang).territories.get((alpha2 or "").upper())
    return name or english or _cldr("en").territories.get((alpha2 or "").upper()) or alpha2


def language_name(
    code: str, alpha2: str = "", english: str = "", *, language: str | None = None
) -> str:
    """A language's name in `language` (default: the active one): CLDR, else iso-codes' own
    translation of its English name, else the English name."""
    lang = _language(language)
    names = _cldr(lang).languages
    name = names.get(alpha2) if alpha2 else None
    name = name or names.get(code)
    if not name and english:
        name = _iso_codes(lang).gettext(english)
    return _first_upper(name or english or code)


def sort_key(text: str, *, language: str | None = None) -> bytes:
    return _collator(_language(language)).getSortKey(text)


def sorted_by_name(
    pairs: Iterable[tuple[str, str]], *, language: str | None = None
) -> list[tuple[str, str]]:
    """(value, name) pairs in the language's alphabetical order of their names."""
    collator = _collator(_language(language))
    return sorted(pairs, key=lambda pair: collator.getSortKey(pair[1]))


def country_choices(*, language: str | None = None) -> list[tuple[str, str]]:
    """Every country as (alpha-2, name), named and sorted in the reader's language."""
    from punte.core.models import Country

    return sorted_by_name(
        (
            (alpha2, country_name(alpha2, english, language=language))
            for alpha2, english in Country.objects.values_list("alpha2", "name")
        ),
        language=language,
    )


def language_choices(languages, *, language: str | None = None) -> list[tuple[str, str]]:
    """(ISO 639-3 code, name) for the given core.Language rows, sorted in the reader's
    language."""
    return sorted_by_name(
        (
            (row.code, language_name(row.code, row.alpha2, row.name, language=language))
            for row in languages
        ),
        language=language,
    )
