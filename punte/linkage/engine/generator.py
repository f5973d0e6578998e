"""Synthetic people recorded by several agencies, with realistic errors and the ground truth.

``generate(records=N, sources=K, seed=S)`` invents Romanian, Moldovan and Ukrainian people
(households with siblings and twins who share surname, place and, for twins, date of birth;
first names and surnames as frequent as in real life, a few very common and most rare), then
has K agencies record them. Every record goes through the errors that issue 4 lists, at least
at its rates (``ERROR_RATES``), drawn independently per record:

- date of birth missing, year only, off by a year, off by a few days or day/month swapped;
- a typo in the first name and in the last name; a nickname or variant of the first name;
- diacritics dropped; cedilla forms (ş ţ) instead of comma forms (ș ț); all capitals;
- first and last name swapped; a married woman's other surname;
- Ukrainian names in Cyrillic or one of three transliterations, by agency;
- sex missing, citizenship missing.

Each record carries the list of errors applied to it (the ``errors`` column of the truth
file), so the rates can be checked. The generator's nickname table is its own
(data/generator.yaml), not the linker's, so the benchmark also contains variants the linker
does not know.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime
import json
import random
import unicodedata
from collections import Counter
from pathlib import Path

import yaml

from punte.linkage.engine.normalise import DATA_DIR

# Per-record rates of each error; the generator applies each at least this often.
ERROR_RATES = {
    "dob_missing": 0.10,
    "dob_year_only": 0.10,
    "dob_off_year": 0.05,
    "dob_off_days": 0.10,  # a few days off, or day and month swapped
    "typo_first": 0.12,
    "typo_last": 0.12,
    "nickname": 0.12,
    "diacritics_dropped": 0.50,
    "cedilla": 0.10,
    "swapped": 0.06,
    "all_caps": 0.10,
    "married_surname": 0.04,
    "sex_missing": 0.10,
    "citizenship_missing": 0.15,
}
# Each error is applied a little more often than its target, so that a sample's realised rate
# (which varies by chance, about 1% of the rate at 30,000 records) is at least the target.
MARGIN = 1.05
APPLIED_RATES = {name: rate * MARGIN for name, rate in ERROR_RATES.items()}
PLACE_MISSING = 0.20
PLACE_TYPO = 0.05
PLACE_OTHER = 0.08  # the place of residence or the county town written instead
PHONE_RECORDED = 0.25
DUAL_CITIZENSHIP_MD = 0.35  # many Moldovans also hold Romanian citizenship
SEX_WRONG = 0.005

NATIONALITY_WEIGHTS = {"RO": 0.55, "MD": 0.25, "UA": 0.20}
CITIZENSHIP = {"RO": "RO", "MD": "MD", "UA": "UA"}
FEMALE_SHARE = 0.65
# How many records a person has, across all agencies.
RECORDS_PER_PERSON = {1: 0.30, 2: 0.30, 3: 0.22, 4: 0.12, 5: 0.06}
HOUSEHOLD_SIZES = {"single": 0.88, "siblings": 0.09, "twins": 0.02, "three_siblings": 0.01}

AGENCIES = [
    ("police", "ua_official"),
    ("prosecution", "ro_style"),
    ("child_protection", "ru_style"),
    ("helpline", "cyrillic"),
    ("ngo", "ro_style"),
    ("border_police", "ua_official"),
    ("labour_inspectorate", "ru_style"),
    ("shelter", "cyrillic"),
]

# ----------------------------------------------------------------- Ukrainian transliteration

_UA_OFFICIAL = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie",
    "ж": "zh", "з": "z", "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l",
    "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ь": "", "ю": "iu",
    "я": "ia", "'": "", "ё": "io", "ы": "y", "э": "e", "ъ": "",
}  # fmt: skip
_UA_OFFICIAL_INITIAL = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}
_RU_STYLE = {
    **_UA_OFFICIAL,
    "г": "g", "є": "ye", "и": "i", "ї": "yi", "й": "y", "ь": "'", "ю": "yu", "я": "ya",
    "е": "e", "ё": "yo", "ы": "y",
}  # fmt: skip
_RO_STYLE = {
    **_UA_OFFICIAL,
    "г": "h", "є": "ie", "ж": "j", "и": "î", "ї": "i", "й": "i", "х": "h", "ц": "ț",
    "ш": "ș", "щ": "șci", "ю": "iu", "я": "ia", "ы": "î", "ё": "io",
}  # fmt: skip
_FRONT_VOWELS = set("еєиіїияю")


def transliterate(text: str, style: str) -> str:
    """Ukrainian (or Russian) Cyrillic in one of the agencies' styles; Latin text unchanged."""
    if style == "cyrillic":
        return text
    out = []
    lower = text.lower()
    for i, ch in enumerate(lower):
        upper = text[i] != ch
        nxt = lower[i + 1] if i + 1 < len(lower) else ""
        initial = i == 0 or not lower[i - 1].isalpha()
        if style == "ua_official":
            latin = _UA_OFFICIAL_INITIAL.get(ch) if initial else None
            latin = latin or _UA_OFFICIAL.get(ch, ch)
            if ch == "г" and i > 0 and lower[i - 1] == "з":
                latin = "gh"  # зг -> zgh, so that it is not read as ж
        elif style == "ru_style":
            latin = _RU_STYLE.get(ch, ch)
        elif style == "ro_style":
            if ch == "к":
                latin = "ch" if nxt in ("е", "і", "и", "є") else "c"
            elif ch == "ч":
                latin = "c" if nxt in ("е", "і", "є") else "ci"
            elif ch == "щ":
                latin = "șc" if nxt in ("е", "і", "є") else "șci"
            else:
                latin = _RO_STYLE.get(ch, ch)
        else:
            raise ValueError(f"unknown transliteration style {style!r}")
        out.append(latin[:1].upper() + latin[1:] if upper and latin else latin)
    return "".join(out)


# ----------------------------------------------------------------- small text operations

_CEDILLA = str.maketrans({"ș": "ş", "ț": "ţ", "Ș": "Ş", "Ț": "Ţ"})
_COMMA = str.maketrans({"ş": "ș", "ţ": "ț", "Ş": "Ș", "Ţ": "Ț"})
_LATIN_LETTERS = "abcdefghijklmnoprstuvz"
_CYRILLIC_LETTERS = "абвгдеєжзиіїйклмнопрстуфхцчшщьюя"
_KEYBOARD_NEIGHBOURS = {
    "a": "sqz", "b": "vn", "c": "xv", "d": "sf", "e": "wr", "f": "dg", "g": "fh", "h": "gj",
    "i": "uo", "j": "hk", "k": "jl", "l": "k", "m": "n", "n": "bm", "o": "ip", "p": "o",
    "r": "et", "s": "ad", "t": "ry", "u": "yi", "v": "cb", "w": "qe", "x": "zc", "y": "tu",
    "z": "xa",
}  # fmt: skip


def strip_diacritics(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize(
        "NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    )


def typo(text: str, rng: random.Random) -> str:
    """One keyboard slip: a letter replaced, dropped, doubled or two letters swapped."""
    letters = [i for i, ch in enumerate(text) if ch.isalpha()]
    if len(letters) < 3:
        return text + ("a" if text.isascii() else "а")
    pos = rng.choice(letters[1:])  # writers rarely get the first letter wrong
    ch = text[pos]
    alphabet = _CYRILLIC_LETTERS if not ch.isascii() else _LATIN_LETTERS
    op = rng.random()
    if op < 0.4:
        base = strip_diacritics(ch.lower())
        choices = _KEYBOARD_NEIGHBOURS.get(base) or alphabet
        new = rng.choice(choices)
        new = new.upper() if ch.isupper() else new
        return text[:pos] + new + text[pos + 1 :]
    if op < 0.65:
        return text[:pos] + text[pos + 1 :]
    if op < 0.85:
        return text[:pos] + ch + text[pos:]
    if pos + 1 < len(text) and text[pos + 1].isalpha() and text[pos + 1] != ch:
        return text[:pos] + text[pos + 1] + ch + text[pos + 2 :]
    return text[:pos] + text[pos + 1 :]


# ----------------------------------------------------------------- the population


@dataclasses.dataclass
class Person:
    person_id: str
    household_id: str
    nationality: str
    sex: str
    first_name: str
    last_name: str
    other_surname: str | None  # a married woman's other surname
    citizenships: tuple[str, ...]
    dob: datetime.date
    place: str
    phone: str


class _Weighted:
    """Fast weighted choice over a fixed list (cumulative weights, bisect)."""

    def __init__(self, items: list, weights: list[float]):
        self.items = items
        total = 0.0
        self.cumulative = []
        for weight in weights:
            total += weight
            self.cumulative.append(total)
        self.total = total

    def pick(self, rng: random.Random):
        import bisect

        return self.items[bisect.bisect(self.cumulative, rng.random() * self.total)]


def _zipf(items: list, exponent: float, offset: int = 0) -> _Weighted:
    return _Weighted(items, [(rank + offset) ** -exponent for rank in range(1, len(items) + 1)])


class Population:
    def __init__(self, rng: random.Random):
        self.rng = rng
        data = yaml.safe_load((DATA_DIR / "generator.yaml").read_text(encoding="utf-8"))
        self.variants = {k: v for k, v in data["given_name_variants"].items() if v}
        self.first = {
            (nat, sex): _zipf(names, 0.9)
            for nat, by_sex in data["first_names"].items()
            for sex, names in (("f", by_sex["female"]), ("m", by_sex["male"]))
        }
        self.surnames = {}
        for nat, listed in data["surnames"].items():
            tail_key = "UA" if nat == "UA" else "RO"
            tail = data["surname_tail"][tail_key]
            generated = [r + e for r in tail["roots"] for e in tail["endings"]]
            rng.shuffle(generated)
            names = list(dict.fromkeys(listed + generated))
            # The listed names carry about a quarter of the population, like real top-100s.
            self.surnames[nat] = _zipf(names, 1.0, offset=3)
        self.places = {nat: _zipf(p, 0.8) for nat, p in data["places"].items()}
        self.nationality = _Weighted(list(NATIONALITY_WEIGHTS), list(NATIONALITY_WEIGHTS.values()))
        self.household = _Weighted(list(HOUSEHOLD_SIZES), list(HOUSEHOLD_SIZES.values()))
        self.count = _Weighted(list(RECORDS_PER_PERSON), list(RECORDS_PER_PERSON.values()))

    def dob(self) -> datetime.date:
        rng = self.rng
        year = int(rng.triangular(1962, 2012, 1998))
        return datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(365))

    def surname(self, nat: str, sex: str) -> str:
        name = self.surnames[nat].pick(self.rng)
        if nat == "UA" and sex == "f":
            # Ukrainian adjectival surnames take the feminine ending.
            if name.endswith("ський"):
                name = name[:-5] + "ська"
            elif name.endswith("ий"):
                name = name[:-2] + "а"
        return name

    def household_members(self, household_id: str, next_id) -> list[Person]:
        rng = self.rng
        kind = self.household.pick(rng)
        nat = self.nationality.pick(rng)
        size = {"single": 1, "siblings": 2, "twins": 2, "three_siblings": 3}[kind]
        last = None
        place = self.places[nat].pick(rng)
        base_dob = self.dob()
        members = []
        used_first = set()
        for index in range(size):
            sex = "f" if rng.random() < FEMALE_SHARE else "m"
            if last is None:
                last = self.surname(nat, "m")
            family_name = last
            if nat == "UA" and sex == "f" and last.endswith(("ський", "ий")):
                family_name = last[:-5] + "ська" if last.endswith("ський") else last[:-2] + "а"
            first = self.first[(nat, sex)].pick(rng)
            while first in used_first:
                first = self.first[(nat, sex)].pick(rng)
            used_first.add(first)
            if kind == "twins" or index == 0:
                dob = base_dob
            else:
                shift = rng.choice([-1, 1]) * rng.randint(1, 10) * 365 + rng.randint(-200, 200)
                dob = min(base_dob + datetime.timedelta(days=shift), datetime.date(2012, 12, 31))
            other = None
            if sex == "f" and (2024 - dob.year) >= 20 and rng.random() < 0.45:
                other = self.surname(nat, sex)
            citizenships = (CITIZENSHIP[nat],)
            if nat == "MD" and rng.random() < DUAL_CITIZENSHIP_MD:
                citizenships = ("MD", "RO")
            members.append(
                Person(
                    citizenships=citizenships,
                    person_id=next_id(),
                    household_id=household_id,
                    nationality=nat,
                    sex=sex,
                    first_name=first,
                    last_name=family_name,
                    other_surname=other,
                    dob=dob,
                    place=place,
                    phone=f"+{dict(RO='40', MD='373', UA='380')[nat]}7{rng.randrange(10**8):08d}",
                )
            )
        return members


# ----------------------------------------------------------------- recording with errors


@dataclasses.dataclass
class Agency:
    name: str
    style: str


def _dob_with_errors(person: Person, rng: random.Random, errors: list[str]) -> str:
    roll = rng.random()
    dob = person.dob
    edges = [
        ("dob_missing", APPLIED_RATES["dob_missing"]),
        ("dob_year_only", APPLIED_RATES["dob_year_only"]),
        ("dob_off_year", APPLIED_RATES["dob_off_year"]),
        ("dob_off_days", APPLIED_RATES["dob_off_days"]),
    ]
    acc = 0.0
    for name, rate in edges:
        acc += rate
        if roll < acc:
            errors.append(name)
            if name == "dob_missing":
                return ""
            if name == "dob_year_only":
                return f"{dob.year:04d}"
            if name == "dob_off_year":
                year = dob.year + rng.choice([-1, 1])
                day = min(dob.day, 28) if dob.month == 2 else dob.day
                return datetime.date(year, dob.month, day).isoformat()
            if dob.day <= 12 and dob.day != dob.month and rng.random() < 0.5:
                return datetime.date(dob.year, dob.day, dob.month).isoformat()
            shifted = dob + datetime.timedelta(days=rng.choice([-1, 1]) * rng.randint(1, 5))
            return shifted.isoformat()
    return dob.isoformat()


def record_person(
    person: Person,
    agency: Agency,
    rng: random.Random,
    population: Population,
    eligible_share: dict[str, float],
) -> tuple[dict, list[str]]:
    errors: list[str] = []
    first = person.first_name
    last = person.last_name

    variants = population.variants.get(first)
    if variants and rng.random() < APPLIED_RATES["nickname"] / eligible_share["nickname"]:
        first = rng.choice(variants)
        errors.append("nickname")
    if (
        person.other_surname
        and rng.random() < APPLIED_RATES["married_surname"] / eligible_share["married_surname"]
    ):
        last = person.other_surname
        errors.append("married_surname")

    first = transliterate(first, agency.style)
    last = transliterate(last, agency.style)
    place = person.place
    if rng.random() < PLACE_OTHER:
        place = population.places[person.nationality].pick(rng)
    place = transliterate(place, agency.style)
    if rng.random() < PLACE_TYPO:
        place = typo(place, rng)

    if rng.random() < APPLIED_RATES["typo_first"]:
        first = typo(first, rng)
        errors.append("typo_first")
    if rng.random() < APPLIED_RATES["typo_last"]:
        last = typo(last, rng)
        errors.append("typo_last")
    if rng.random() < APPLIED_RATES["swapped"]:
        first, last = last, first
        errors.append("swapped")

    fields = [first, last, place]
    if rng.random() < APPLIED_RATES["diacritics_dropped"]:
        fields = [strip_diacritics(f) for f in fields]
        errors.append("diacritics_dropped")
    elif rng.random() < APPLIED_RATES["cedilla"] / (1 - APPLIED_RATES["diacritics_dropped"]):
        fields = [f.translate(_CEDILLA) for f in fields]
        errors.append("cedilla")
    else:
        fields = [f.translate(_COMMA) for f in fields]
    if rng.random() < APPLIED_RATES["all_caps"]:
        fields = [f.upper() for f in fields]
        errors.append("all_caps")
    first, last, place = fields

    dob = _dob_with_errors(person, rng, errors)
    sex = person.sex.upper()
    if rng.random() < SEX_WRONG:
        sex = "M" if sex == "F" else "F"
    if rng.random() < APPLIED_RATES["sex_missing"]:
        sex = ""
        errors.append("sex_missing")
    citizenship = rng.choice(person.citizenships)
    if rng.random() < APPLIED_RATES["citizenship_missing"]:
        citizenship = ""
        errors.append("citizenship_missing")
    if rng.random() < PLACE_MISSING:
        place = ""
    phone = person.phone if rng.random() < PHONE_RECORDED else ""
    return (
        {
            "first_name": first,
            "last_name": last,
            "date_of_birth": dob,
            "sex": sex,
            "citizenship": citizenship,
            "place_of_birth": place,
            "phone": phone,
        },
        errors,
    )


@dataclasses.dataclass
class Benchmark:
    records: list[dict]  # input columns plus "person_id" and "errors"
    agencies: list[Agency]
    seed: int

    def error_rates(self) -> dict[str, float]:
        counts = Counter(e for r in self.records for e in r["errors"])
        return {name: counts[name] / max(len(self.records), 1) for name in ERROR_RATES}


def generate(*, records: int, sources: int, seed: int = 0) -> Benchmark:
    if records < 1:
        raise ValueError("records must be at least 1")
    if not 1 <= sources <= len(AGENCIES):
        raise ValueError(f"sources must be between 1 and {len(AGENCIES)}")
    rng = random.Random(seed)  # noqa: S311 - synthetic data, reproducible by seed
    population = Population(rng)
    agencies = [Agency(name, style) for name, style in AGENCIES[:sources]]

    counter = iter(range(1, 10**9))

    def next_person_id() -> str:
        return f"P{next(counter):07d}"

    people: list[tuple[Person, int]] = []
    total = 0
    household = 0
    while total < records:
        household += 1
        for person in population.household_members(f"H{household:07d}", next_person_id):
            count = min(population.count.pick(rng), records - total)
            if count <= 0:
                break
            people.append((person, count))
            total += count

    # Some errors apply only to some people (a variant needs a known nickname, a married
    # surname needs a married woman): scale their probability so the per-record rate holds.
    n = sum(count for _, count in people)
    eligible_share = {
        "nickname": max(sum(c for p, c in people if p.first_name in population.variants) / n, 1e-9),
        "married_surname": max(sum(c for p, c in people if p.other_surname) / n, 1e-9),
    }

    out = []
    sequence = Counter()
    for person, count in people:
        chosen = rng.sample(agencies, min(count, len(agencies)))
        while len(chosen) < count:
            chosen.append(rng.choice(agencies))
        for agency in chosen:
            fields, errors = record_person(person, agency, rng, population, eligible_share)
            sequence[agency.name] += 1
            out.append(
                {
                    "record_id": f"{agency.name}-{sequence[agency.name]}",
                    "source": agency.name,
                    **fields,
                    "person_id": person.person_id,
                    "household_id": person.household_id,
                    "errors": errors,
                }
            )
    rng.shuffle(out)
    return Benchmark(records=out, agencies=agencies, seed=seed)


INPUT_COLUMNS = [
    "record_id",
    "source",
    "first_name",
    "last_name",
    "date_of_birth",
    "sex",
    "citizenship",
    "place_of_birth",
    "phone",
]


def write(benchmark: Benchmark, directory: Path) -> dict:
    """One CSV per agency, truth.csv (record -> person, errors) and manifest.json."""
    directory.mkdir(parents=True, exist_ok=True)
    files = {}
    for agency in benchmark.agencies:
        path = directory / f"{agency.name}.csv"
        files[agency.name] = path
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=INPUT_COLUMNS, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(r for r in benchmark.records if r["source"] == agency.name)
    with (directory / "truth.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["record_id", "person_id", "household_id", "errors"])
        for r in benchmark.records:
            writer.writerow(
                [r["record_id"], r["person_id"], r["household_id"], ";".join(r["errors"])]
            )
    manifest = {
        "records": len(benchmark.records),
        "people": len({r["person_id"] for r in benchmark.records}),
        "seed": benchmark.seed,
        "sources": {
            a.name: {"file": files[a.name].name, "ukrainian_names": a.style}
            for a in benchmark.agencies
        },
        "target_error_rates": ERROR_RATES,
        "realised_error_rates": {k: round(v, 4) for k, v in benchmark.error_rates().items()},
    }
    (directory / "manifest.json").write_text(
        json.dumps(manifest, indent=2) + "\n", encoding="utf-8"
    )
    return manifest
