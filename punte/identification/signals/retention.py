"""Retention of signals' records (see punte.core.retention)."""

from django.db.models import Q

from punte.core.retention import ANONYMISE, ERASE, Period, RetentionRule

RULES = [
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
    RetentionRule(
        name="identification.public_report_form_use.erase",
        record_type="identification.PublicReportFormUse",
        age_field="used_at",
        # Longer than a form's token is valid (PUNTE_PUBLIC_REPORT_MAX_AGE_SECONDS): erased
        # sooner, a form still valid could be sent again. An expired token is refused anyway.
        period=Period("PUNTE_RETENTION_PUBLIC_REPORT_FORM_USE_HOURS", unit="hours"),
        action=ERASE,
        legal_basis=(
            "A random number from a sent public report form, kept so that the form is accepted "
            "once; nothing about the sender. Needed only while the form's token is valid."
        ),
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
        clear_fields=("locality", "reporter_contact", "external_reference", "archive_reason"),
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

KEPT = {
    "identification.Signal": "Kept while proceedings may need it; its free text is cleared above.",
    "identification.SignalPerson": "A person named in a signal: kept and cleared with its signal.",
    "identification.SignalTransition": "As its signal: the history of how it was handled.",
}
