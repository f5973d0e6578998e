"""Retention of hearing rooms and hearings (see punte.core.retention).

The registry of rooms is reference data. A hearing and its participants are evidence that the
child was heard once, where and with whom (criminal proceedings, the child's rights): the rows
are kept; the one free text, which may describe the child, is cleared with the person's record.
"""

from punte.core.retention import ANONYMISE, RetentionRule
from punte.identification.persons.retention import PERSON_ANONYMISE_PERIOD, person_archived_before

RULES = [
    RetentionRule(
        name="hearings.hearing.clear_notes",
        record_type="hearings.Hearing",
        age_field="created_at",
        period=PERSON_ANONYMISE_PERIOD,
        action=ANONYMISE,
        clear_fields=("notes", "archive_reason"),
        condition=person_archived_before("case__person"),
        legal_basis="As the person's record: cleared when the person is anonymised.",
    ),
]

_REGISTRY = "The national registry of hearing rooms: reference data about places, not people."
_EVIDENCE = (
    "Evidence of where, when and with whom a child was heard, for the proceedings and the "
    "child's rights: kept, its free text cleared with the person's anonymisation (above)."
)

KEPT = {
    "hearings.HearingRoom": _REGISTRY,
    "hearings.OpeningHours": _REGISTRY,
    "hearings.Hearing": _EVIDENCE,
    "hearings.HearingParticipant": _EVIDENCE,
}
