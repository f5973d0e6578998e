"""Retention of referrals (see punte.core.retention).

A referral is evidence: who was sent where, when, and what each organisation answered is asked
for by prosecutors and courts for years (Law 678/2001), and by the person exercising their
rights. The rows are kept; only free text, which may quote names, is cleared when the person's
record is anonymised.
"""

from punte.core.retention import ANONYMISE, RetentionRule
from punte.identification.persons.retention import PERSON_ANONYMISE_PERIOD, person_archived_before

_BASIS = "As the person's record: cleared when the person is anonymised."


RULES = [
    RetentionRule(
        name="referrals.referral.clear_notes",
        record_type="referrals.Referral",
        age_field="created_at",
        period=PERSON_ANONYMISE_PERIOD,
        action=ANONYMISE,
        clear_fields=("note", "archive_reason"),
        condition=person_archived_before("person"),
        person_field="person",
        legal_basis=_BASIS,
    ),
    RetentionRule(
        name="referrals.referral_event.clear_reasons",
        record_type="referrals.ReferralEvent",
        age_field="occurred_at",
        period=PERSON_ANONYMISE_PERIOD,
        action=ANONYMISE,
        clear_fields=("reason",),
        condition=person_archived_before("referral__person"),
        legal_basis=_BASIS,
    ),
]

_EVIDENCE = (
    "Evidence for criminal proceedings and the victim's rights, for years: the row is kept, "
    "its free text cleared with the person's anonymisation (the rules above)."
)

KEPT = {
    "referrals.Referral": _EVIDENCE,
    "referrals.ReferralEvent": _EVIDENCE,
    "referrals.ServiceOffering": "The service registry: configuration, no personal data.",
    "referrals.RoutingRuleSet": "Reference data: every referral keeps the rules version it used.",
    "referrals.RoutingRule": "Reference data: every referral keeps the rule that proposed it.",
}
