"""Retention of case documents (see punte.core.retention).

A file about a person goes with the person's record: when the record is anonymised the file's
row is erased, and its sealed bytes with it (storage.py), since a certificate or a report cannot
be anonymised field by field.
"""

from punte.core.retention import ERASE, RetentionRule
from punte.identification.persons.retention import PERSON_ANONYMISE_PERIOD, person_archived_before

RULES = [
    RetentionRule(
        name="documents.case_document.erase",
        record_type="documents.CaseDocument",
        age_field="created_at",
        period=PERSON_ANONYMISE_PERIOD,
        action=ERASE,
        condition=person_archived_before("case__person"),
        legal_basis="As the person's record: erased, bytes and all, when the person is anonymised.",
    ),
]
