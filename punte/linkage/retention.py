"""Retention of record linkage (see punte.core.retention).

Linkage holds ids, similarity levels and the analysts' decisions, never the compared values:
its rows follow the persons they join, whose own retention anonymises what identifies them.
An analyst's reason is free text that may quote a name: cleared when either person is
anonymised.
"""

from punte.core.retention import ANONYMISE, RetentionRule
from punte.identification.persons.retention import PERSON_ANONYMISE_PERIOD, person_archived_before

_BASIS = "As the persons' records: cleared when either person is anonymised."
_EITHER_PERSON_ARCHIVED = person_archived_before("person_a", "person_b")


RULES = [
    RetentionRule(
        name="linkage.review_pair.clear_reasons",
        record_type="linkage.ReviewPair",
        age_field="created_at",
        period=PERSON_ANONYMISE_PERIOD,
        action=ANONYMISE,
        clear_fields=("decision_reason",),
        condition=_EITHER_PERSON_ARCHIVED,
        legal_basis=_BASIS,
    ),
    RetentionRule(
        name="linkage.link_decision.clear_reasons",
        record_type="linkage.LinkDecision",
        age_field="decided_at",
        period=PERSON_ANONYMISE_PERIOD,
        action=ANONYMISE,
        clear_fields=("reason",),
        condition=_EITHER_PERSON_ARCHIVED,
        legal_basis=_BASIS,
    ),
]

_FOLLOWS_PERSONS = (
    "Ids and similarity levels only; kept while the persons it joins are kept (they cannot be "
    "deleted while a link names them)."
)

KEPT = {
    "linkage.NationalPerson": "A national identifier with no data of its own: " + _FOLLOWS_PERSONS,
    "linkage.PersonLink": _FOLLOWS_PERSONS,
    "linkage.ReviewPair": _FOLLOWS_PERSONS,
    "linkage.LinkDecision": (
        "An analyst's standing decision that two records are (not) the same person: every later "
        "run must respect it, so it is kept as long as the persons are."
    ),
    "linkage.LinkageModel": "Trained parameters, no personal data: kept to explain links.",
    "linkage.LinkageState": "One row of settings and progress; no personal data.",
}
