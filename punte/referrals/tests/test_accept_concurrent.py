"""Two people of the receiving organisation accept the same referral at the same moment, on
PostgreSQL: exactly one succeeds, the other is told it is already accepted, and the history
holds one acceptance and one access grant.

Each thread has its own connection and commits for real (transactional_db); a barrier releases
both requests together, and the row lock in referral_transition decides.
"""

import pytest

from punte.identification.persons.models import PersonAccess
from punte.referrals.models import Referral, ReferralEvent
from punte.referrals.tests.factories import responder_of, send_service_referral
from punte.testing.api import ApiClient
from punte.testing.concurrency import run_together

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _together(calls):
    return run_together(calls)


def test_two_acceptances_at_once_exactly_one_succeeds():
    referral = send_service_referral()
    first = ApiClient(responder_of(referral.receiver_organisation))
    second = ApiClient(responder_of(referral.receiver_organisation))
    path = f"/referrals/{referral.pk}/accept"
    responses = _together([lambda: first.post(path), lambda: second.post(path)])
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 409], [r.content for r in responses]
    refused = next(r for r in responses if r.status_code == 409)
    assert refused.json()["errors"][0]["field"] == "status"
    assert "Accepted" in refused.json()["detail"]
    assert Referral.objects.get(pk=referral.pk).status == "accepted"
    assert ReferralEvent.objects.filter(referral=referral, action="accepted").count() == 1
    assert (
        PersonAccess.objects.filter(
            organisation=referral.receiver_organisation, reason="referral"
        ).count()
        == 1
    )


def test_accept_and_reject_at_once_one_wins_and_the_other_changes_nothing():
    referral = send_service_referral()
    accepting = ApiClient(responder_of(referral.receiver_organisation))
    rejecting = ApiClient(responder_of(referral.receiver_organisation))
    responses = _together(
        [
            lambda: accepting.post(f"/referrals/{referral.pk}/accept"),
            lambda: rejecting.post(f"/referrals/{referral.pk}/reject", {"reason": "Full."}),
        ]
    )
    assert sorted(r.status_code for r in responses) == [200, 409]
    final = Referral.objects.get(pk=referral.pk).status
    actions = list(ReferralEvent.objects.filter(referral=referral).values_list("action", flat=True))
    assert actions == ["sent", final]
    granted = PersonAccess.objects.filter(organisation=referral.receiver_organisation).exists()
    assert granted == (final == "accepted")
