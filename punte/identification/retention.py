"""Retention of identification records (see punte.core.retention)."""

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
