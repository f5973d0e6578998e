"""Retention of assistance cases (see punte.core.retention).

A case is evidence of the assistance the State gave a victim (Law 678/2001; the person's right
to know what was done and by whom): its rows, dates, services and team are kept, and every free
text, which may describe the person, is cleared when the person's record is anonymised.
"""

from punte.core.retention import ANONYMISE, RetentionRule
from punte.identification.persons.retention import PERSON_ANONYMISE_PERIOD, person_archived_before

_BASIS = "As the person's record: cleared when the person is anonymised."


def _clear(name: str, model: str, fields: tuple[str, ...], path: str, age: str = "created_at"):
    return RetentionRule(
        name=f"cases.{name}",
        record_type=f"cases.{model}",
        age_field=age,
        period=PERSON_ANONYMISE_PERIOD,
        action=ANONYMISE,
        clear_fields=fields,
        condition=person_archived_before(path),
        person_field="person" if path == "person" else None,
        legal_basis=_BASIS,
    )


RULES = [
    _clear("case.clear_notes", "Case", ("closure_note", "archive_reason"), "person"),
    _clear("case_event.clear_reasons", "CaseEvent", ("reason",), "case__person", "occurred_at"),
    _clear("transfer.clear_reasons", "CaseTransfer", ("reason", "archive_reason"), "case__person"),
    _clear(
        "assessment.clear",
        "Assessment",
        ("needs", "risk_factors", "archive_reason"),
        "case__person",
    ),
    _clear("plan_version.clear_summary", "PlanVersion", ("summary",), "case__person", "saved_at"),
    _clear("plan_goal.clear_text", "PlanGoal", ("goal",), "version__case__person", "saved_at"),
    _clear(
        "service.clear_notes",
        "CaseService",
        ("request_note", "reason", "archive_reason"),
        "case__person",
    ),
    _clear(
        "follow_up.clear_text",
        "FollowUp",
        ("purpose", "outcome", "archive_reason"),
        "case__person",
    ),
    _clear("team_member.clear_reason", "TeamMember", ("archive_reason",), "case__person"),
    _clear(
        "restricted_note.clear_text", "RestrictedNote", ("text", "archive_reason"), "case__person"
    ),
]

_EVIDENCE = (
    "Evidence of the assistance given, for criminal proceedings and the victim's rights: the "
    "row is kept, its free text cleared with the person's anonymisation (the rules above)."
)

KEPT = {
    f"cases.{model}": _EVIDENCE
    for model in (
        "Case",
        "CaseEvent",
        "CaseTransfer",
        "Assessment",
        "PlanVersion",
        "PlanGoal",
        "CaseService",
        "FollowUp",
        "TeamMember",
        "RestrictedNote",
    )
}
