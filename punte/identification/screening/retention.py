"""Retention of screening, consent and decision records (see punte.core.retention)."""

from punte.core.retention import ANONYMISE, RetentionRule
from punte.identification.persons.retention import PERSON_ANONYMISE_PERIOD, person_archived_before

# Free text written about a person in the mechanism (ADR 0022) may quote names: cleared with the
# person's anonymisation. Outcomes, decisions, dates and exploitation forms stay for statistics.

_MECHANISM_BASIS = "As the person's record: cleared when the person is anonymised."

RULES = [
    RetentionRule(
        name="identification.screening.clear_notes",
        record_type="identification.Screening",
        age_field="created_at",
        period=PERSON_ANONYMISE_PERIOD,
        action=ANONYMISE,
        clear_fields=("draft_note",),
        condition=person_archived_before("person"),
        person_field="person",
        legal_basis=_MECHANISM_BASIS,
    ),
    RetentionRule(
        name="identification.consent_event.clear_notes",
        record_type="identification.ConsentEvent",
        age_field="recorded_at",
        period=PERSON_ANONYMISE_PERIOD,
        action=ANONYMISE,
        clear_fields=("note",),
        condition=person_archived_before("person"),
        person_field="person",
        legal_basis=_MECHANISM_BASIS,
    ),
    RetentionRule(
        name="identification.reflection_period_event.clear_reasons",
        record_type="identification.ReflectionPeriodEvent",
        age_field="recorded_at",
        period=PERSON_ANONYMISE_PERIOD,
        action=ANONYMISE,
        clear_fields=("reason",),
        condition=person_archived_before("period__person"),
        legal_basis=_MECHANISM_BASIS,
    ),
]


_WITH_PERSON = "Kept with the person's record, anonymised with it (the rules above)."

KEPT = {
    "identification.IndicatorCatalogue": (
        "Reference data: every screening keeps the catalogue version it was made on."
    ),
    "identification.Indicator": "Reference data: the indicators of a catalogue version.",
    "identification.Screening": _WITH_PERSON,
    "identification.ConsentEvent": (
        "The proof of what a person consented to, and when: kept with the person's record."
    ),
    "identification.AnonymousNotification": (
        "Anonymous by design (no link to any person): the national statistics count it."
    ),
    "identification.IdentificationDecision": (
        "The formal identification of a victim: evidence in criminal proceedings and the basis "
        "of the victim's rights (residence, assistance, compensation) for years; kept with the "
        "person's record."
    ),
    "identification.ReflectionPeriod": (
        "A recovery and reflection period grants rights (stay, assistance): kept with the "
        "identification decision it follows."
    ),
    "identification.ReflectionPeriodEvent": _WITH_PERSON,
    "identification.ReflectionReminder": (
        "No personal data (a period's id and dates); each row makes sure a reminder is sent once."
    ),
}
