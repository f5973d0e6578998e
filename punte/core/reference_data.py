"""Loading the reference tables: counties (ISO 3166-2:RO), countries (ISO 3166-1), languages
(ISO 639-3).

Countries and languages come from the pinned `pycountry` package, so no download is needed.
"""

import json
from pathlib import Path

EU_MEMBERS = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
    ]
)

# Living languages with a two-letter code, plus those frontline services meet without one.
_EXTRA_LANGUAGES = frozenset({"rom", "rmy"})  # Romani


def counties() -> list[tuple[str, str]]:
    path = Path(__file__).parent / "data" / "counties.json"
    return [tuple(row) for row in json.loads(path.read_text(encoding="utf-8"))]


def countries() -> list[dict]:
    import pycountry

    return [
        {
            "alpha2": c.alpha_2,
            "alpha3": c.alpha_3,
            "numeric": c.numeric,
            "name": getattr(c, "common_name", None) or c.name,
            "is_eu_member": c.alpha_2 in EU_MEMBERS,
        }
        for c in pycountry.countries
    ]


def languages() -> list[dict]:
    import pycountry

    return [
        {"code": lang.alpha_3, "alpha2": getattr(lang, "alpha_2", ""), "name": lang.name}
        for lang in pycountry.languages
        if hasattr(lang, "alpha_2") or lang.alpha_3 in _EXTRA_LANGUAGES
    ]


def load(apps) -> None:
    County = apps.get_model("core", "County")
    Country = apps.get_model("core", "Country")
    Language = apps.get_model("core", "Language")
    for code, name in counties():
        County.objects.update_or_create(code=code, defaults={"name": name})
    for row in countries():
        Country.objects.update_or_create(alpha2=row["alpha2"], defaults=row)
    for row in languages():
        Language.objects.update_or_create(code=row["code"], defaults=row)
