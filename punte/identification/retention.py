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


# Free text of a signal (where, who reported it, notes on its steps) may name people. A closed
# signal is kept as long as a person's record, since it may become evidence, then cleared; its
# channel, county, dates, status and exploitation forms stay for statistics. Its description
# is not cleared yet: the column is NOT NULL and encrypted, so a rule cannot tell a cleared
# one from a full one; making it nullable lets it join `clear_fields`.
_CLOSED_SIGNAL_PERIOD = Period("PUNTE_RETENTION_CLOSED_SIGNAL_DAYS")
_SIGNAL_BASIS = (
    "Storage limitation (GDPR art. 5(1)(e); Law 363/2018): a closed suspicion may still be "
    "needed by proceedings for as long as a person's record. To be confirmed by the DPO."
)


def _signal_closed_before(now):
    cutoff = now - _CLOSED_SIGNAL_PERIOD.resolve()
    return Q(signal__status="closed", signal__status_changed_at__lt=cutoff)


RULES += [
    RetentionRule(
        name="identification.signal.clear_closed",
        record_type="identification.Signal",
        age_field="status_changed_at",
        period=_CLOSED_SIGNAL_PERIOD,
        action=ANONYMISE,
        clear_fields=("locality", "reporter_contact", "archive_reason"),
        condition=Q(status="closed"),
        legal_basis=_SIGNAL_BASIS,
    ),
    RetentionRule(
        name="identification.signal_person.clear_closed",
        record_type="identification.SignalPerson",
        age_field="added_at",
        period=_CLOSED_SIGNAL_PERIOD,
        action=ANONYMISE,
        clear_fields=("description",),
        condition=_signal_closed_before,
        person_field="person",
        legal_basis=_SIGNAL_BASIS,
    ),
    RetentionRule(
        name="identification.signal_transition.clear_closed",
        record_type="identification.SignalTransition",
        age_field="occurred_at",
        period=_CLOSED_SIGNAL_PERIOD,
        action=ANONYMISE,
        clear_fields=("note",),
        condition=_signal_closed_before,
        legal_basis=_SIGNAL_BASIS,
    ),
]

_WITH_PERSON = "Kept with the person's record, anonymised with it (the rules above)."

KEPT = {
    "identification.Person": _WITH_PERSON,
    "identification.PersonCitizenship": (
        "Citizenships stay after the person is anonymised: statistics count them, and alone "
        "they identify nobody."
    ),
    "identification.PersonAccess": (
        "Which organisation was allowed to see a person, why and until when: needed to answer "
        "the person's access request and the access report; ids only."
    ),
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
    "identification.Signal": "Kept while proceedings may need it; its free text is cleared above.",
    "identification.SignalPerson": "A person named in a signal: kept and cleared with its signal.",
    "identification.SignalTransition": "As its signal: the history of how it was handled.",
}
