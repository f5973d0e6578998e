"""Retention of persons' records (see punte.core.retention)."""

from functools import reduce
from operator import or_

from django.db.models import Q

from punte.core.retention import ANONYMISE, Period, RetentionRule

# Records about a person (its screenings' notes, for one) are cleared with the person, after
# the same period.
PERSON_ANONYMISE_PERIOD = Period("PUNTE_RETENTION_PERSON_ANONYMISE_DAYS")


def person_archived_before(*paths: str):
    """A rule's condition for records about a person: cleared with the person's anonymisation,
    i.e. once the person reached through any of `paths` ("person", "referral__person", ...) has
    been archived for the anonymisation period. A record is made before its person is archived,
    so its own age passes the same period at the latest by then."""

    def condition(now):
        cutoff = now - PERSON_ANONYMISE_PERIOD.resolve()
        return reduce(or_, (Q(**{f"{path}__archived_at__lt": cutoff}) for path in paths))

    return condition


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
