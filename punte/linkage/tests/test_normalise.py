"""Normalisation on hand-picked names and dates: what must compare equal, and what must not."""

from __future__ import annotations

import datetime

import pandas as pd
import pytest

from punte.linkage.engine import features, normalise
from punte.linkage.engine.normalise import PartialDate


@pytest.mark.parametrize(
    "written",
    ["Ștefănescu", "Ştefănescu", "STEFANESCU", "stefanescu", "ŞTEFĂNESCU", " Ștefănescu "],
)
def test_diacritics_case_and_cedilla_or_comma_forms_fold_alike(written):
    assert normalise.fold(written) == "stefanescu"


@pytest.mark.parametrize("written", ["Țurcanu", "Ţurcanu", "TURCANU", "ţurcanu"])
def test_t_with_comma_and_with_cedilla_fold_alike(written):
    assert normalise.fold(written) == "turcanu"


def test_hyphens_apostrophes_and_spaces():
    assert normalise.fold("Popescu-Țăranu") == "popescu taranu"
    assert normalise.fold("Мар'яна") == normalise.fold("Марʼяна") == "mariana"
    assert normalise.fold("") == normalise.fold(None) == ""


@pytest.mark.parametrize(
    ("cyrillic", "ukrainian_official", "russian_style", "romanian_style"),
    [
        ("Гнатюк", "Hnatiuk", "Gnatyuk", "Hnatiuc"),
        ("Шевченко", "Shevchenko", "Shevchenko", "Șevcenco"),
        ("Ковальчук", "Kovalchuk", "Koval'chuk", "Covalciuc"),
        ("Юлія", "Yuliia", "Yuliya", "Iulia"),
        ("Ткаченко", "Tkachenko", "Tkachenko", "Tcacenco"),
        ("Григорій", "Hryhorii", "Grigoriy", "Hrîhorii"),
        ("Щербак", "Shcherbak", "Shcherbak", "Șcerbac"),
        ("Євгенія", "Yevheniia", "Yevgeniya", "Ievghenia"),
        ("Хмельницький", "Khmelnytskyi", "Khmel'nitskiy", "Hmelnițchii"),
    ],
)
def test_cyrillic_and_its_three_transliterations_share_one_key(
    cyrillic, ukrainian_official, russian_style, romanian_style
):
    keys = {
        normalise.name_key(form)
        for form in (cyrillic, ukrainian_official, russian_style, romanian_style)
    }
    assert len(keys) == 1, keys


def test_different_names_keep_different_keys():
    assert normalise.name_key("Popescu") != normalise.name_key("Popa")
    assert normalise.name_key("Ioana") != normalise.name_key("Ion")
    assert normalise.name_key("Hnatiuk") != normalise.name_key("Hnatenko")


@pytest.mark.parametrize(
    "group",
    [
        ["Ion", "Ioan", "Ionel", "IONUȚ", "Ivan", "Іван"],
        ["Gheorghe", "George", "Gheorghiță", "Heorhii"],
        ["Elena", "Lenuța", "Lenuţa", "LENUTA", "Olena", "Олена"],
        ["Nicolae", "Mykola", "Микола", "Nicușor"],
    ],
)
def test_nicknames_and_other_language_forms_fall_in_one_group(group):
    assert len({normalise.given_name_group(name) for name in group}) == 1


def test_names_that_are_not_one_name_stay_apart():
    # The variants file says so explicitly: Ileana is not Elena, Mariana is not Maria.
    assert normalise.given_name_group("Ileana") != normalise.given_name_group("Elena")
    assert normalise.given_name_group("Mariana") != normalise.given_name_group("Maria")
    assert normalise.given_name_group("Ana-Maria") == "ana maria"


def test_swapped_first_and_last_names_are_put_back_where_the_data_says():
    people = [("Maria", "Popescu"), ("Ion", "Popescu"), ("Elena", "Popa"), ("Ana", "Popescu")]
    people += [("Elena", "Rusu"), ("Maria", "Popa"), ("Ioana", "Popescu"), ("Ion", "Popa")]
    people += [("Vasile", "Popa"), ("Ana", "Popa")]
    records = pd.DataFrame(
        [
            {
                "record_id": str(i),
                "source": "s",
                "first_name": first,
                "last_name": last,
                "date_of_birth": None,
                "sex": None,
                "citizenship": None,
                "place_of_birth": "",
                "phone": "",
            }
            for i, (first, last) in enumerate([*people, ("Popescu", "Maria"), ("POPA", "Elena")])
        ]
    )
    prepared = features.prepare(records)
    swapped = prepared.iloc[-2:][["first_std", "last_std"]].values.tolist()
    assert swapped == [["maria", "popescu"], ["elena", "popa"]]
    # Written the right way round, nothing moves.
    assert prepared.loc[0, ["first_std", "last_std"]].tolist() == ["maria", "popescu"]


def test_a_listed_given_name_is_established_even_in_a_small_table():
    records = pd.DataFrame(
        [
            {
                "record_id": rid,
                "source": "s",
                "first_name": first,
                "last_name": "Radu",
                "date_of_birth": PartialDate(1985, 11, 30),
                "sex": None,
                "citizenship": None,
                "place_of_birth": "",
                "phone": "",
            }
            for rid, first in (("1", "Cristina"), ("2", "Andreea"), ("3", "Crsitina"))
        ]
    )
    prepared = features.prepare(records).set_index("unique_id")
    assert prepared.loc["1", "first_common"] and prepared.loc["2", "first_common"]
    assert not prepared.loc["3", "first_common"]  # a typo is not a name


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("text", "expected", "precision"),
    [
        ("2001-05-17", PartialDate(2001, 5, 17), "day"),
        ("2001-5-7", PartialDate(2001, 5, 7), "day"),
        ("17.05.2001", PartialDate(2001, 5, 17), "day"),
        ("2001-05", PartialDate(2001, 5), "month"),
        ("2001", PartialDate(2001), "year"),
        (" 1999 ", PartialDate(1999), "year"),
    ],
)
def test_full_and_partial_dates(text, expected, precision):
    parsed = normalise.parse_date(text, today=datetime.date(2026, 11, 28))
    assert parsed == expected
    assert parsed.precision == precision


def test_a_missing_date_is_none():
    assert normalise.parse_date("") is None
    assert normalise.parse_date(None) is None


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("2001-02-30", "not a calendar date"),
        ("2001-13", "no month 13"),
        ("1850", "between 1900"),
        ("2027-01-01", "between 1900 and 2026"),
        ("2026-12-01", "in the future"),
        ("17/05/2001", "not a date"),
        ("unknown", "not a date"),
    ],
)
def test_dates_that_cannot_be_read_are_refused_with_a_reason(text, says):
    with pytest.raises(normalise.DateError, match=says):
        normalise.parse_date(text, today=datetime.date(2026, 11, 28))


def test_partial_dates_become_comparable_features():
    records = pd.DataFrame(
        [
            {
                "record_id": rid,
                "source": "s",
                "first_name": "Ana",
                "last_name": "Pop",
                "date_of_birth": date,
                "sex": None,
                "citizenship": None,
                "place_of_birth": "",
                "phone": "",
            }
            for rid, date in (
                ("a", PartialDate(2001, 5, 17)),
                ("b", PartialDate(2001)),
                ("c", None),
                ("d", PartialDate(1955, 12)),
                ("e", PartialDate(1900, 1, 1)),
                ("f", PartialDate(1968, 2, 29)),
            )
        ]
    )
    prepared = features.prepare(records).set_index("unique_id")
    assert prepared.loc["a", "dob"] == "2001-05-17"
    assert prepared.loc["b", "dob"] is None and prepared.loc["b", "dob_year"] == 2001
    assert pd.isna(prepared.loc["b", "dob_month"]) and pd.isna(prepared.loc["c", "dob_year"])
    assert prepared.loc["d", ["dob_year", "dob_month"]].tolist() == [1955, 12]
    assert prepared.loc["d", "dob"] is None and pd.isna(prepared.loc["d", "dob_day"])
    assert pd.isna(prepared.loc["d", "dob_days"]) and pd.isna(prepared.loc["c", "dob_days"])
    # Days since 1900-01-01, before and after 1970.
    for rid in ("a", "e", "f"):
        born = datetime.date.fromisoformat(prepared.loc[rid, "dob"])
        assert prepared.loc[rid, "dob_days"] == (born - datetime.date(1900, 1, 1)).days
    assert prepared.loc["f", ["dob", "dob_day"]].tolist() == ["1968-02-29", 29]


def test_a_date_that_is_not_in_the_calendar_is_refused_not_rolled_over():
    records = pd.DataFrame(
        [("1", "s", "Ana", "Pop", PartialDate(2001, 2, 30), None, None, "", "", "")],
        columns=features.RECORD_COLUMNS,
    )
    with pytest.raises(ValueError, match="not calendar dates"):
        features.prepare(records)


def test_numbers_read_as_numbers_are_their_text():
    records = pd.DataFrame(
        [("1", "s", "Ana", "Pop", None, None, None, "Iasi", 721234567, None)],
        columns=features.RECORD_COLUMNS,
    )
    assert features.prepare(records).loc[0, "phone"] == "721234567"


def test_no_records_give_no_features():
    empty = pd.DataFrame(columns=features.RECORD_COLUMNS)
    assert features.prepare(empty).columns.tolist() == features.FEATURE_COLUMNS
    assert features.prepare(empty).empty


def test_given_names_of_two_words_give_two_tokens_and_a_missing_name_none():
    records = pd.DataFrame(
        [
            ("1", "s", "Ana-Maria", "Pop", None, None, None, "", "", ""),
            ("2", "s", "Ionel", "Pop", None, None, None, "", "", ""),
            ("3", "s", "", "Pop", None, None, None, "", "", ""),
        ],
        columns=features.RECORD_COLUMNS,
    )
    prepared = features.prepare(records).set_index("unique_id")
    assert prepared.loc["1", ["first_tok1", "first_tok2"]].tolist() == ["ana", "maria"]
    assert prepared.loc["2", ["first_group", "first_tok1", "first_tok2"]].tolist() == [
        "ion",
        "ion",
        None,
    ]
    assert prepared.loc["3", ["first_key", "first_group", "first_tok1", "first_init"]].isna().all()
    assert not prepared.loc["3", "first_common"]


def test_other_fields():
    assert normalise.normalise_sex("Feminin") == normalise.normalise_sex("F") == "f"
    assert normalise.normalise_sex("") is None
    with pytest.raises(ValueError, match="not a sex"):
        normalise.normalise_sex("yes")
    assert normalise.normalise_citizenship("md") == "MD"
    with pytest.raises(ValueError, match="alpha-2"):
        normalise.normalise_citizenship("MDA")
    assert (
        normalise.normalise_phone("+40 721 234 567")
        == normalise.normalise_phone("0721234567")
        == "721234567"
    )


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("1 850101 123.456", "1850101123456"),  # a CNP as clerks write it (not a real one)
        ("rx-123-456", "RX123456"),  # an identity card's series and number
        ("КА 123456", "KA123456"),  # a Cyrillic series, transliterated as names are
        ("", None),
        ("  ", None),
    ],
)
def test_identity_numbers_lose_spaces_dashes_and_dots_and_case(written, expected):
    assert normalise.normalise_identity_number(written) == expected


@pytest.mark.parametrize(
    "written", ["N/A", "necunoscut", "0000000", "1234", "12345678901234567890X", "12€456"]
)
def test_placeholders_and_garbage_are_not_identity_numbers_and_are_not_quoted(written):
    with pytest.raises(ValueError, match="not an identity number") as refused:
        normalise.normalise_identity_number(written)
    assert written not in str(refused.value)


def test_an_identity_number_on_too_many_records_is_nobody_s_and_counts_as_missing():
    from punte.linkage.engine import clk

    many = features.MAX_RECORDS_PER_IDENTITY_NUMBER + 1
    rows = [
        {
            "record_id": str(i),
            "source": "s",
            "first_name": "Ana",
            "last_name": f"Pop{chr(97 + i % 26)}",
            "date_of_birth": None,
            "sex": None,
            "citizenship": None,
            "place_of_birth": "",
            "phone": "",
            # An NGO's own registration number in every row, and two persons' own numbers.
            "identity_number": "ORG55501" if i < many else f"TEST{i:05d}",
        }
        for i in range(many + 2)
    ]
    prepared = features.prepare(pd.DataFrame(rows))
    assert prepared["identity_number"].tolist() == [None] * many + [
        f"TEST{many:05d}",
        f"TEST{many + 1:05d}",
    ]
    # The same at the agency, before encoding: no identity filter for the shared number.
    encoded = clk.prepare_records(rows)
    assert [r["identity_number"] for r in encoded] == [None] * many + [
        f"TEST{many:05d}",
        f"TEST{many + 1:05d}",
    ]
    # At the limit, the number is still one person's.
    assert features.prepare(pd.DataFrame(rows[1:]))["identity_number"].notna().all()
