"""Two sends of the same referral at the same moment, on PostgreSQL: exactly one is sent, the other
is refused as the open duplicate it is (422, as the check before the insert answers), never 500.

Both requests are held after their duplicate check has passed and released together, so the
second insert meets the first one's row: the partial unique constraint decides, not the read.
"""

import threading

import pytest

from punte.accounts.models import OrganisationType
from punte.accounts.tests.factories import MembershipFactory, OrganisationFactory
from punte.identification.persons.tests.factories import create_person
from punte.referrals import services
from punte.referrals.models import Referral, ReferralEvent
from punte.referrals.tests.factories import CHILD_BIRTH, ServiceOfferingFactory, ensure_rules
from punte.referrals.tests.test_accept_concurrent import _together
from punte.testing.api import ApiClient

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _held_after_the_check(monkeypatch, parties: int) -> None:
    barrier = threading.Barrier(parties)
    send_one = services._send_one

    def held(**kwargs):
        barrier.wait(timeout=30)
        return send_one(**kwargs)

    monkeypatch.setattr(services, "_send_one", held)


def test_two_sends_of_the_same_referral_at_once_exactly_one_is_sent(monkeypatch):
    ensure_rules()
    sender = MembershipFactory(role_code="regional_officer")
    receiver = OrganisationFactory(type=OrganisationType.NGO)
    ServiceOfferingFactory(organisation=receiver, service="shelter", county_id="RO-CJ")
    person = create_person(actor=sender, date_of_birth=CHILD_BIRTH)
    body = {
        "county": "RO-CJ",
        "referrals": [{"receiver_organisation_id": str(receiver.pk), "service": "shelter"}],
    }
    first, second = ApiClient(sender), ApiClient(sender)
    _held_after_the_check(monkeypatch, 2)

    path = f"/persons/{person.pk}/referrals"
    responses = _together([lambda: first.post(path, body), lambda: second.post(path, body)])

    assert sorted(r.status_code for r in responses) == [201, 422], [r.content for r in responses]
    refused = next(r for r in responses if r.status_code == 422).json()
    assert refused["errors"] == [
        {
            "field": "referrals.0",
            "message": f"An open referral of this person to {receiver.name} for this already "
            "exists.",
        }
    ]
    sent = Referral.objects.get(person=person)
    assert list(ReferralEvent.objects.filter(referral=sent).values_list("action", flat=True)) == [
        "sent"
    ]
