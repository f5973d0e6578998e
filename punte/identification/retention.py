"""Retention of identification records (see punte.core.retention)."""

from django.db.models import Q

from punte.core.retention import ANONYMISE, ERASE, Period, RetentionRule

RULES = [
    RetentionRule(
        name="identification.person.anonymise_archived",
        record_type="identification.Person",
        age_field="archived_at",  # only archived records are ever due
        period=Period("PUNTE_RETENTION_PERSON_ANONYMISE_DAYS"),
        action=ANONYMISE,
        # Everything that identifies the person, and the blind indexes that would let someone
        # confirm a guessed name. Sex, birth year, estimated age, citizenships and languages stay:
        # statistics count them.
        clear_fields=(
            "given_name",
            "family_name",
            "aliases",
            "date_of_birth",
            "contact",
            "notes",
            "identity_documents",
            "family_name_index",
            "given_name_index",
            "date_of_birth_index",
            "archive_reason",  # free text, may quote a name
        ),
        set_values={"identity_unknown": True},
        person_field="pk",
        legal_basis=(
            "Storage limitation (GDPR art. 5(1)(e); Law 363/2018 for the competent authorities): "
            "kept while proceedings may still need it. To be confirmed by the DPO."
        ),
    ),
    RetentionRule(
        name="identification.public_report_attempt.erase",
        record_type="identification.PublicReportAttempt",
        age_field="window_start",
        # Longer than the longest rate-limit window (a day), or the limit would forget too soon.
        period=Period("PUNTE_RETENTION_PUBLIC_REPORT_COUNTER_HOURS", unit="hours"),
        action=ERASE,
        legal_basis=(
            "Rate-limit counters of the public report form hold a keyed hash of the sender's IP "
            "address, needed only while the limit's window runs."
        ),
    ),
]


# Free text written about a person in the mechanism (ADR 0022) may quote names: cleared with the
# person's anonymisation. Outcomes, decisions, dates and exploitation forms stay for statistics.
# The period runs from the person's archiving (the condition); a record is made before its
# person is archived, so its own age passes the same period at the latest by then.
def _person_archived_before(now):
    return Q(person__archived_at__lt=now - _PERSON_PERIOD.resolve())


def _period_person_archived_before(now):
    return Q(period__person__archived_at__lt=now - _PERSON_PERIOD.resolve())


_PERSON_PERIOD = Period("PUNTE_RETENTION_PERSON_ANONYMISE_DAYS")
_MECHANISM_BASIS = "As the person's record: cleared when the person is anonymised."

RULES += [
    RetentionRule(
        name="identification.screening.clear_notes",
        record_type="identification.Screening",
        age_field="created_at",
        period=_PERSON_PERIOD,
        action=ANONYMISE,
        clear_fields=("draft_note",),
        condition=_person_archived_before,
        person_field="person",
        legal_basis=_MECHANISM_BASIS,
    ),
    RetentionRule(
        name="identification.consent_event.clear_notes",
        record_type="identification.ConsentEvent",
        age_field="recorded_at",
        period=_PERSON_PERIOD,
        action=ANONYMISE,
        clear_fields=("note",),
        condition=_person_archived_before,
        person_field="person",
        legal_basis=_MECHANISM_BASIS,
    ),
    RetentionRule(
        name="identification.reflection_period_event.clear_reasons",
        record_type="identification.ReflectionPeriodEvent",
        age_field="recorded_at",
        period=_PERSON_PERIOD,
        action=ANONYMISE,
        clear_fields=("reason",),
        condition=_period_person_archived_before,
        legal_basis=_MECHANISM_BASIS,
    ),
]
