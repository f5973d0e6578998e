"""Retention of persons' records (see punte.core.retention)."""

from punte.core.retention import ANONYMISE, Period, RetentionRule

# Records about a person (its screenings' notes, for one) are cleared with the person, after
# the same period.
PERSON_ANONYMISE_PERIOD = Period("PUNTE_RETENTION_PERSON_ANONYMISE_DAYS")

RULES = [
    RetentionRule(
        name="identification.person.anonymise_archived",
        record_type="identification.Person",
        age_field="archived_at",  # only archived records are ever due
        period=PERSON_ANONYMISE_PERIOD,
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
]


KEPT = {
    "identification.Person": (
        "Kept while proceedings may need it; an archived record is anonymised (the rule above)."
    ),
    "identification.PersonCitizenship": (
        "Citizenships stay after the person is anonymised: statistics count them, and alone "
        "they identify nobody."
    ),
    "identification.PersonAccess": (
        "Which organisation was allowed to see a person, why and until when: needed to answer "
        "the person's access request and the access report; ids only."
    ),
}
