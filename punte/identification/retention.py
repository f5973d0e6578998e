"""Retention of identification records (see punte.core.retention)."""

from punte.core.retention import ANONYMISE, Period, RetentionRule

RULES = [
    RetentionRule(
        name="identification.person.anonymise_archived",
        record_type="identification.Person",
        age_field="archived_at",  # only archived records are ever due
        period=Period("PUNTE_RETENTION_PERSON_ANONYMISE_DAYS"),
        action=ANONYMISE,
        # Everything that identifies the person, and the blind indexes that would let someone
        # confirm a guessed name. Sex, birth year and citizenship stay: statistics count them.
        clear_fields=(
            "given_name",
            "family_name",
            "aliases",
            "date_of_birth",
            "contact",
            "notes",
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
]
