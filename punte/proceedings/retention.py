"""Retention of criminal proceedings (see punte.core.retention).

The proceeding, its stages, charges and outcome are kept: they are what the country reports
(Eurostat, GRETA) and the victim's evidence of what justice did. What identifies anyone is
cleared with the victim's record: the file number, and suspects' and offenders' names. Their
profiles (sex, age group, citizenship) stay, encrypted, for the statistics.
"""

from punte.core.retention import ANONYMISE, RetentionRule
from punte.identification.persons.retention import PERSON_ANONYMISE_PERIOD, person_archived_before

_BASIS = "As the person's record: cleared when the person is anonymised."

RULES = [
    RetentionRule(
        name="proceedings.proceeding.clear_file_number",
        record_type="proceedings.Proceeding",
        age_field="created_at",
        period=PERSON_ANONYMISE_PERIOD,
        action=ANONYMISE,
        clear_fields=("file_number", "archive_reason"),
        condition=person_archived_before("case__person"),
        legal_basis=_BASIS,
    ),
    RetentionRule(
        name="proceedings.offender.clear_name",
        record_type="proceedings.Offender",
        age_field="created_at",
        period=PERSON_ANONYMISE_PERIOD,
        action=ANONYMISE,
        clear_fields=("name", "archive_reason"),
        condition=person_archived_before("proceeding__case__person"),
        legal_basis=_BASIS,
    ),
]

_COUNTED = (
    "What the country counts and reports on justice for victims (Eurostat, GRETA, the US TIP "
    "report), and the victim's evidence: kept; names cleared with the victim's record (above)."
)

KEPT = {
    "proceedings.Proceeding": _COUNTED,
    "proceedings.Charge": _COUNTED,
    "proceedings.Offender": _COUNTED,
    "proceedings.ProceedingEvent": _COUNTED,
}
