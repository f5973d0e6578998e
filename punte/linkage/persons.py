"""Person rows as the linkage engine reads them, and what a scored pair's comparison was.

The adapter between the database and the engine (punte.linkage.engine.features / linking):

``person_records()``   decrypts every linkable Person and yields the engine's input rows
                       (features.RECORD_COLUMNS). Names and dates live only in memory and
                       are never logged; the record id is the Person's UUID.
``prepare(records)``   the engine's own feature preparation over the whole database, so that
                       incremental runs see the same name orientation and name frequencies.
``comparison_levels(pairs, features, model)``
                       for a few scored pairs, the level each comparison fell in and its
                       Bayes factor, computed from the model's own level conditions (labels
                       such as "one typo", never the values compared).

Heavy libraries (pandas, DuckDB, Splink) are imported inside functions: the web process and
the tests that never link should not pay for them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from punte.identification.persons.models import Person, Sex

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from punte.linkage.engine.model import TrainedModel

_SEX = {Sex.FEMALE: "f", Sex.MALE: "m", Sex.OTHER: "x"}

_FIELDS = (
    "id",
    "owner_organisation_id",
    "identity_unknown",
    "given_name",
    "family_name",
    "aliases",
    "date_of_birth",
    "birth_year",
    "sex",
    "citizenship_id",
    "identity_documents",
)
# What linking compares of a person, named as identification's services record its changes:
# every citizenship (linking reads the first), the identity documents (linking reads one
# number). A change to any of them links the person again.
COMPARED_FIELDS = frozenset(_FIELDS) - {"id", "owner_organisation_id", "citizenship_id"} | {
    "citizenships"
}


def is_linkable(*, identity_unknown: bool, given_name, family_name, aliases) -> bool:
    """A record without any name cannot be told apart from a stranger born the same day."""
    return not identity_unknown and bool(given_name or family_name or aliases)


def _names(given_name: str | None, family_name: str | None, aliases) -> tuple[str, str]:
    if given_name or family_name:
        return given_name or "", family_name or ""
    # Only an alias is known: read it as "given family" (the engine re-orients swapped names).
    words = str((aliases or [""])[0]).split()
    return (words[0] if words else ""), " ".join(words[1:])


# The document whose number is the person's identity number for linking: the first listed
# of the first type present in this order. An identity card (its number, or the CNP written
# in its place) is what Romanian agencies copy most; a foreign victim's passport next. Other
# kinds (and "other document") are not read: their numbers are rarely copied by two agencies,
# and one person's two documents of different kinds would look like two numbers.
IDENTITY_DOCUMENT_ORDER = ("national_id", "passport", "residence_permit", "travel_document")


def identity_number(documents) -> str | None:
    """The identity number linking compares, from a person's identity documents (or None).

    A number that cannot be an identity number (normalise.normalise_identity_number) is
    passed over for the next document."""
    from punte.linkage.engine.normalise import normalise_identity_number

    listed = [d for d in documents or [] if isinstance(d, dict)]
    for kind in IDENTITY_DOCUMENT_ORDER:
        for document in listed:
            if document.get("type") != kind:
                continue
            try:
                number = normalise_identity_number(str(document.get("number") or ""))
            except ValueError:
                continue
            if number:
                return number
    return None


def record_of(row: dict[str, Any]) -> dict[str, Any]:
    """One Person's values (decrypted) as one input row of the engine."""
    from punte.linkage.engine.normalise import PartialDate

    given, family = _names(row["given_name"], row["family_name"], row["aliases"])
    dob = row["date_of_birth"]
    if dob is not None:
        date = PartialDate(dob.year, dob.month, dob.day)
    elif row["birth_year"]:
        date = PartialDate(int(row["birth_year"]))
    else:
        date = None
    return {
        "record_id": str(row["id"]),
        # The agency that recorded the person: the engine compares across sources.
        "source": str(row["owner_organisation_id"]),
        "first_name": given,
        "last_name": family,
        "date_of_birth": date,
        "sex": _SEX.get(row["sex"]),
        "citizenship": row["citizenship_id"] or None,
        "place_of_birth": None,
        "phone": None,
        "identity_number": identity_number(row["identity_documents"]),
    }


def person_rows(person_ids: Iterable[Any] | None = None) -> Iterator[dict[str, Any]]:
    """Decrypted Person rows (all persons, or those given), streamed in chunks."""
    queryset = Person.objects.order_by()
    if person_ids is not None:
        queryset = queryset.filter(pk__in=list(person_ids))
    for values in queryset.values_list(*_FIELDS).iterator(chunk_size=2000):
        yield dict(zip(_FIELDS, values, strict=True))


def person_records(
    person_ids: Iterable[Any] | None = None, *, progress: Callable[[int], None] | None = None
) -> tuple[list[dict], list[str]]:
    """(engine rows of the linkable persons, ids of the persons that cannot be linked).

    `progress(rows read)` is called every 2,000 rows."""
    records, unlinkable = [], []
    for count, row in enumerate(person_rows(person_ids), start=1):
        if progress is not None and count % 2000 == 0:
            progress(count)
        if is_linkable(
            identity_unknown=row["identity_unknown"],
            given_name=row["given_name"],
            family_name=row["family_name"],
            aliases=row["aliases"],
        ):
            records.append(record_of(row))
        else:
            unlinkable.append(str(row["id"]))
    return records, unlinkable


def prepare(records: list[dict]) -> pd.DataFrame:
    """The engine's comparison features for `records` (every linkable person, in one frame)."""
    import pandas as pd

    from punte.linkage.engine import features

    frame = pd.DataFrame.from_records(records, columns=features.RECORD_COLUMNS)
    return features.prepare(frame)


# --------------------------------------------------------------------------- comparison levels


def _comparison_cases(model: TrainedModel) -> list[tuple[str, str, list[dict]]]:
    """(output column, SQL CASE giving the level's index, levels) for every comparison."""
    out = []
    for comparison in model.splink_settings["comparisons"]:
        levels = comparison["comparison_levels"]
        whens = []
        for index, level in enumerate(levels):
            condition = level["sql_condition"]
            if condition.strip().upper() == "ELSE":
                whens.append(f"ELSE {index}")
            else:
                whens.append(f"WHEN {condition} THEN {index}")
        out.append((comparison["output_column_name"], "CASE " + " ".join(whens) + " END", levels))
    return out


def comparison_levels(
    pairs: Iterable[tuple[str, str]], features: pd.DataFrame, model: TrainedModel
) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """For each (record id, record id) pair: the level of every comparison and its Bayes
    factor m/u, without term-frequency adjustment (so it explains, it does not re-score)."""
    import duckdb
    import pandas as pd

    pairs = list(pairs)
    if not pairs:
        return {}
    columns = [c for c in features.columns if c != "unique_id"]
    cases = _comparison_cases(model)
    connection = duckdb.connect(":memory:")
    try:
        connection.register("features", features)
        connection.register("pairs", pd.DataFrame(pairs, columns=["unique_id_l", "unique_id_r"]))

        def side(suffix: str) -> str:
            return ", ".join(
                [f"unique_id AS unique_id_{suffix}"] + [f'"{c}" AS "{c}_{suffix}"' for c in columns]
            )

        selected = ", ".join(f'({sql}) AS "{name}"' for name, sql, _levels in cases)
        rows = connection.execute(
            f"""
            SELECT p.unique_id_l, p.unique_id_r, {selected}
            FROM pairs AS p
            JOIN (SELECT {side("l")} FROM features) AS l USING (unique_id_l)
            JOIN (SELECT {side("r")} FROM features) AS r USING (unique_id_r)
            """  # noqa: S608 - identifiers and conditions come from the model, not from input
        ).fetchall()
    finally:
        connection.close()
    result: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in rows:
        explained = []
        for (name, _sql, levels), index in zip(cases, row[2:], strict=True):
            level = levels[int(index)]
            m, u = level.get("m_probability"), level.get("u_probability")
            factor = None
            if not level.get("is_null_level") and isinstance(m, (int, float)) and u:
                factor = float(m) / float(u)
            explained.append(
                {
                    "comparison": name,
                    "level": level.get("label_for_charts") or "",
                    "bayes_factor": round(factor, 4) if factor is not None else None,
                }
            )
        result[(str(row[0]), str(row[1]))] = explained
    return result
