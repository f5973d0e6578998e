"""Loading the reference tables: counties (ISO 3166-2:RO), countries (ISO 3166-1), languages
(ISO 639-3).

Countries and languages come from the pinned `pycountry` package, so no download is needed.
"""

import json
from pathlib import Path

from django.apps import apps as django_apps

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


def load(apps=None, using: str = "default") -> int:
    """Bring the reference tables up to date with this release's sources (idempotent): rows are
    added or corrected, never removed, since records point at them. Returns the rows written."""
    apps = apps or django_apps
    written = 0
    for model_name, key, rows in (
        ("County", "code", [{"code": code, "name": name} for code, name in counties()]),
        ("Country", "alpha2", countries()),
        ("Language", "code", languages()),
    ):
        model = apps.get_model("core", model_name)
        manager = model.objects.using(using)
        held = {row[key]: row for row in manager.values(*rows[0])} if rows else {}
        missing = [model(**row) for row in rows if row[key] not in held]
        manager.bulk_create(missing)
        for row in rows:
            if row[key] in held and held[row[key]] != row:
                manager.filter(**{key: row[key]}).update(**row)
                written += 1
        written += len(missing)
    return written


def load_after_migrate(sender, using: str = "default", **kwargs) -> None:
    """post_migrate, sent once per app after every migration ran: act once, for core."""
    if sender.name == "punte.core":
        load(using=using)
