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

import datetime
import re

import numpy as np
import pandas as pd

from punte.linkage import normalise

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


def consonants(key: str) -> str:
    """The consonant skeleton of a name key: "popescu" -> "ppsc", a typo in a vowel is gone."""
    return _REPEATS.sub(r"\1", _VOWELS.sub("", key))


def _mapped(series: pd.Series, function) -> pd.Series:
    """Apply a pure function once per distinct value: names repeat, so this is much faster."""
    values = series.fillna("").astype(str)
    uniques = pd.unique(values)
    lookup = {value: function(value) for value in uniques}
    return values.map(lookup)


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
    out = pd.DataFrame(index=records.index)
    out["unique_id"] = records["record_id"].astype(str)
    out["source"] = records["source"].astype(str)

    first_raw = records["first_name"].fillna("").astype(str)
    last_raw = records["last_name"].fillna("").astype(str)
    first_key = _mapped(first_raw, normalise.name_key)
    last_key = _mapped(last_raw, normalise.name_key)
    if orient_names and len(records):
        swapped = np.array(normalise.swapped_name_orders(zip(first_key, last_key, strict=True)))
        if swapped.any():
            first_raw, last_raw = (
                first_raw.where(~swapped, last_raw),
                last_raw.where(~swapped, first_raw),
            )
            first_key, last_key = (
                first_key.where(~swapped, last_key),
                last_key.where(~swapped, first_key),
            )

    out["first_std"] = _mapped(first_raw, normalise.fold)
    out["last_std"] = _mapped(last_raw, normalise.fold)
    out["first_key"] = first_key
    out["last_key"] = last_key
    out["first_group"] = _mapped(first_raw, normalise.given_name_group)
    tokens = out["first_group"].str.split(" ")
    out["first_tok1"] = tokens.str[0]
    out["first_tok2"] = tokens.str[1]
    counts = given_name_counts
    if counts is None:
        counts = out["first_group"][out["first_group"] != ""].value_counts().to_dict()
    listed = normalise.listed_given_names()
    out["first_common"] = [
        bool(g)
        and (counts.get(g, 0) >= ESTABLISHED_NAME_COUNT or all(w in listed for w in g.split()))
        for g in out["first_group"]
    ]
    out["first_init"] = first_key.str[:1]
    out["first2"] = first_key.str[:2]
    out["last_init"] = last_key.str[:1]
    out["last_prefix"] = last_key.str[:3]
    out["first_cons"] = _mapped(first_key, consonants)
    out["last_cons"] = _mapped(last_key, consonants)
    out["swap_first"] = first_key
    out["swap_last"] = last_key

    dates = records["date_of_birth"]
    out["dob_year"] = pd.array([d.year if d else None for d in dates], dtype="Int32")
    out["dob_month"] = pd.array([d.month if d else None for d in dates], dtype="Int32")
    out["dob_day"] = pd.array([d.day if d else None for d in dates], dtype="Int32")
    out["dob"] = [d.isoformat() if d and d.day else None for d in dates]
    epoch = datetime.date(1900, 1, 1).toordinal()
    out["dob_days"] = pd.array(
        [
            datetime.date(d.year, d.month, d.day).toordinal() - epoch if d and d.day else None
            for d in dates
        ],
        dtype="Int32",
    )

    out["sex"] = records["sex"].where(records["sex"].notna(), None)
    out["citizenship"] = records["citizenship"].where(records["citizenship"].notna(), None)
    place = (
        records["place_of_birth"]
        if "place_of_birth" in records
        else pd.Series("", index=records.index)
    )
    out["place_key"] = _mapped(place, normalise.name_key)
    phone = records["phone"] if "phone" in records else pd.Series("", index=records.index)
    out["phone"] = _mapped(phone, lambda v: normalise.normalise_phone(v) or "")
    out["identity_number"] = _mapped(
        records["identity_number"]
        if "identity_number" in records
        else pd.Series("", index=records.index),
        _identity_number,
    )
    shared = out["identity_number"].map(out["identity_number"].value_counts())
    out.loc[shared > MAX_RECORDS_PER_IDENTITY_NUMBER, "identity_number"] = ""

    out["em_sample"] = (
        pd.util.hash_pandas_object(out["unique_id"], index=False).to_numpy() % 10_000
    ).astype("int32")

    for column in (
        "first_std",
        "last_std",
        "first_key",
        "last_key",
        "first_group",
        "first_init",
        "first_tok1",
        "first_tok2",
        "first2",
        "last_init",
        "last_prefix",
        "first_cons",
        "last_cons",
        "swap_first",
        "swap_last",
        "place_key",
        "phone",
        "identity_number",
    ):
        out[column] = out[column].replace("", None)
    return out[FEATURE_COLUMNS].reset_index(drop=True)
