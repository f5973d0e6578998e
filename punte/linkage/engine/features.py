"""From validated person records to the table of comparison features the model reads.

The input is a pandas DataFrame with the columns of ``RECORD_COLUMNS`` (``reading`` produces
it from CSV files; the database integration builds it from Person rows). Dates are already
``PartialDate`` objects or None, sex is "f"/"m"/"x"/None, citizenship an alpha-2 code or None.
The output has one row per record and only derived, comparison-ready columns:

=================  =====================================================================
unique_id          the record key (string), unique across all inputs
source             the agency / dataset the record came from
first_std          given name, folded (see normalise.fold)
last_std           family name, folded
first_key          transliteration-neutral skeleton of the given name (normalise.name_key)
last_key           same for the family name
first_group        the given name's variant group (normalise.given_name_group)
first_tok1/2       the first two words of first_group (one of two given names agrees)
first_common       the given name (its group) is established, not a typo: listed in
                   data/name_variants.yaml, or used at least ESTABLISHED_NAME_COUNT times
                   as a given name in the data (a small table cannot show the first)
first_init, first2 first one/two letters of first_key (blocking on typos)
last_init          first letter of last_key
last_prefix        first three letters of last_key (blocking on typos)
first_cons         first_key without vowels (blocking on typos in the vowels)
last_cons          last_key without vowels
swap_first         copy of first_key, compared with the other record's last_key (swaps)
swap_last          copy of last_key
dob                full date of birth as ISO text, or NULL when only partly known
dob_year/month/day integers, NULL where unknown; dob_month/day NULL for year-only dates
dob_days           full date of birth as days since 1900-01-01 (NULL unless full)
sex                "f", "m", "x" or NULL
citizenship        ISO 3166-1 alpha-2 or NULL
place_key          name_key of the place of birth, or NULL
phone              last nine digits, or NULL
identity_number    a CNP, identity card or passport number (normalise.normalise_identity_number),
                   or NULL (also when more than MAX_RECORDS_PER_IDENTITY_NUMBER records carry it)
em_sample          a number 0-9999 from the record key, to sample pairs for training
=================  =====================================================================

Names written in the wrong order (family name in the given-name column) are put back where
the data itself says they belong (normalise.swapped_name_orders) before anything else.
"""

from __future__ import annotations

import functools
import re

import numpy as np
import pandas as pd

from punte.linkage.engine import batch, normalise

ESTABLISHED_NAME_COUNT = 5
# An identity number on more records than this is not one person's (an organisation's own
# registration number, a placeholder the reader did not recognise): it is treated as missing,
# so that it neither links strangers nor lifts the twins rule. One person is recorded by a
# handful of agencies, a few times each.
MAX_RECORDS_PER_IDENTITY_NUMBER = 20

RECORD_COLUMNS = [
    "record_id",
    "source",
    "first_name",
    "last_name",
    "date_of_birth",  # PartialDate or None
    "sex",
    "citizenship",
    "place_of_birth",
    "phone",
    "identity_number",
]

FEATURE_COLUMNS = [
    "unique_id",
    "source",
    "first_std",
    "last_std",
    "first_key",
    "last_key",
    "first_group",
    "first_tok1",
    "first_tok2",
    "first_common",
    "first_init",
    "first2",
    "last_init",
    "last_prefix",
    "first_cons",
    "last_cons",
    "swap_first",
    "swap_last",
    "dob",
    "dob_year",
    "dob_month",
    "dob_day",
    "dob_days",
    "sex",
    "citizenship",
    "place_key",
    "phone",
    "identity_number",
    "em_sample",
]

_VOWELS = re.compile(r"[aeiou ]")
_REPEATS = re.compile(r"(.)\1+")


@functools.lru_cache(maxsize=200_000)  # like the other name functions: names repeat
def consonants(key: str) -> str:
    """The consonant skeleton of a name key: "popescu" -> "ppsc", a typo in a vowel is gone."""
    return _REPEATS.sub(r"\1", _VOWELS.sub("", key))


class _Distinct:
    """A text column's distinct values: names repeat, so each feature is computed once per
    value and spread to the records by index. A missing value counts as the empty text."""

    def __init__(self, values):
        self.codes, uniques = pd.factorize(np.asarray(values, dtype=object))
        # Text, as the functions expect (a phone read as a number is its digits).
        self.uniques = [v if isinstance(v, str) else str(v) for v in uniques]

    def map(self, function) -> np.ndarray:
        """function(value) for every record; an empty result is missing (None)."""
        results = [function(v) or None for v in self.uniques]
        results.append(function("") or None)  # code -1 (missing) takes the last
        return np.array(results, dtype=object)[self.codes]

    def values(self) -> np.ndarray:
        return self.map(lambda v: v)


def _identity_number(value: str) -> str:
    """Normalised again (the reader has done it; other callers may not): a value that cannot
    be an identity number is missing here, never an error in the middle of a run."""
    try:
        return normalise.normalise_identity_number(value) or ""
    except ValueError:
        return ""


def prepare(
    records: pd.DataFrame,
    *,
    orient_names: bool = True,
    given_name_counts: dict[str, int] | None = None,
) -> pd.DataFrame:
    """Comparison features for each record (see the module docstring for the columns).

    `given_name_counts` (first_group -> count) lets incremental linking judge whether a name
    is established from all records, not only the new ones; by default the records given.
    """
    with batch.collection_paused():
        return _prepare(records, orient_names, given_name_counts)


def _prepare(records: pd.DataFrame, orient_names: bool, given_name_counts) -> pd.DataFrame:
    out: dict[str, object] = {
        "unique_id": records["record_id"].astype(str).to_numpy(),
        "source": records["source"].astype(str).to_numpy(),
    }
    first_raw = records["first_name"].fillna("").astype(str).to_numpy()
    last_raw = records["last_name"].fillna("").astype(str).to_numpy()
    first_key = _Distinct(first_raw).map(normalise.name_key)
    last_key = _Distinct(last_raw).map(normalise.name_key)
    if orient_names and len(records):
        keys = zip((k or "" for k in first_key), (k or "" for k in last_key), strict=True)
        swapped = np.array(normalise.swapped_name_orders(keys), dtype=bool)
        first_raw, last_raw = (
            np.where(swapped, last_raw, first_raw),
            np.where(swapped, first_raw, last_raw),
        )
        first_key, last_key = (
            np.where(swapped, last_key, first_key),
            np.where(swapped, first_key, last_key),
        )
    first_raw, last_raw = _Distinct(first_raw), _Distinct(last_raw)
    first, last = _Distinct(first_key), _Distinct(last_key)

    out["first_std"] = first_raw.map(normalise.fold)
    out["last_std"] = last_raw.map(normalise.fold)
    out["first_key"] = first_key
    out["last_key"] = last_key
    group = _Distinct(first_raw.map(normalise.given_name_group))
    out["first_group"] = group.values()
    out["first_tok1"] = group.map(lambda g: g.split(" ")[0])
    out["first_tok2"] = group.map(lambda g: g.split(" ")[1] if " " in g else None)
    counts = given_name_counts
    if counts is None:
        counts = pd.Series(out["first_group"]).value_counts().to_dict()
    listed = normalise.listed_given_names()
    out["first_common"] = group.map(
        lambda g: (
            bool(g)
            and (counts.get(g, 0) >= ESTABLISHED_NAME_COUNT or all(w in listed for w in g.split()))
        )
    ).astype(bool)
    out["first_init"] = first.map(lambda k: k[:1])
    out["first2"] = first.map(lambda k: k[:2])
    out["last_init"] = last.map(lambda k: k[:1])
    out["last_prefix"] = last.map(lambda k: k[:3])
    out["first_cons"] = first.map(consonants)
    out["last_cons"] = last.map(consonants)
    out["swap_first"] = first_key
    out["swap_last"] = last_key

    dates = [d or None for d in records["date_of_birth"]]
    year = np.array([d.year if d else 0 for d in dates], dtype=np.int32)
    month = np.array([(d.month or 0) if d else 0 for d in dates], dtype=np.int32)
    day = np.array([(d.day or 0) if d else 0 for d in dates], dtype=np.int32)
    full = day > 0
    calendar = (
        (np.where(full, year, 1970) - 1970).astype("datetime64[Y]").astype("datetime64[M]")
        + np.where(full, month - 1, 0).astype("timedelta64[M]")
    ).astype("datetime64[D]") + np.where(full, day - 1, 0).astype("timedelta64[D]")
    # What datetime.date would refuse (30 February, a day without a month) is refused here too,
    # not rolled over into another date.
    first_of_month = calendar.astype("datetime64[M]")
    wrong = full & (
        (first_of_month.astype(np.int64) % 12 + 1 != month)
        | ((calendar - first_of_month).astype(np.int64) + 1 != day)
    )
    if wrong.any():
        raise ValueError(f"{int(wrong.sum())} dates of birth are not calendar dates")
    out["dob_year"] = pd.arrays.IntegerArray(year, year == 0)
    out["dob_month"] = pd.arrays.IntegerArray(month, month == 0)
    out["dob_day"] = pd.arrays.IntegerArray(day, ~full)
    out["dob"] = np.where(full, np.datetime_as_string(calendar, unit="D").astype(object), None)
    since_1900 = (calendar - np.datetime64("1900-01-01", "D")).astype(np.int32)
    out["dob_days"] = pd.arrays.IntegerArray(since_1900, ~full)

    out["sex"] = records["sex"].where(records["sex"].notna(), None).to_numpy()
    out["citizenship"] = (
        records["citizenship"].where(records["citizenship"].notna(), None).to_numpy()
    )
    blank = pd.Series("", index=records.index)
    out["place_key"] = _Distinct(records.get("place_of_birth", blank)).map(normalise.name_key)
    out["phone"] = _Distinct(records.get("phone", blank)).map(normalise.normalise_phone)
    identity = _Distinct(records.get("identity_number", blank)).map(_identity_number)
    shared = pd.Series(identity).map(pd.Series(identity).value_counts())
    identity[(shared > MAX_RECORDS_PER_IDENTITY_NUMBER).to_numpy()] = None
    out["identity_number"] = identity

    out["em_sample"] = (
        pd.util.hash_pandas_object(pd.Series(out["unique_id"]), index=False).to_numpy() % 10_000
    ).astype("int32")
    return pd.DataFrame(out, columns=FEATURE_COLUMNS)
