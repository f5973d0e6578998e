"""Retention of referrals (see punte.core.retention).

A referral is evidence: who was sent where, when, and what each organisation answered is asked
for by prosecutors and courts for years (Law 678/2001), and by the person exercising their
rights. The rows are kept; only free text, which may quote names, is cleared when the person's
record is anonymised.
"""

from django.db.models import Q

from punte.core.retention import ANONYMISE, Period, RetentionRule

_PERSON_PERIOD = Period("PUNTE_RETENTION_PERSON_ANONYMISE_DAYS")
_BASIS = "As the person's record: cleared when the person is anonymised."


def _person_archived_before(now):
    return Q(person__archived_at__lt=now - _PERSON_PERIOD.resolve())


def _referral_person_archived_before(now):
    return Q(referral__person__archived_at__lt=now - _PERSON_PERIOD.resolve())


RULES = [
    RetentionRule(
        name="referrals.referral.clear_notes",
        record_type="referrals.Referral",
        age_field="created_at",
        period=_PERSON_PERIOD,
        action=ANONYMISE,
        clear_fields=("note", "archive_reason"),
        condition=_person_archived_before,
        person_field="person",
        legal_basis=_BASIS,
    ),
    RetentionRule(
        name="referrals.referral_event.clear_reasons",
        record_type="referrals.ReferralEvent",
        age_field="occurred_at",
        period=_PERSON_PERIOD,
        action=ANONYMISE,
        clear_fields=("reason",),
        condition=_referral_person_archived_before,
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
