"""The database holds one open referral of a person to an organisation by one rule or for one
service, whatever the code in front of it reads (the send race: test_send_concurrent)."""

import pytest
from django.db import IntegrityError, transaction

from punte.referrals import services
from punte.referrals.models import Referral
from punte.referrals.tests.factories import send_service_referral
from punte.referrals.tests.helpers import child, county_bodies, first_responder

pytestmark = pytest.mark.django_db


def _copy(referral: Referral, **changes) -> Referral:
    copy = Referral.objects.get(pk=referral.pk)
    copy.pk = None
    for name, value in changes.items():
        setattr(copy, name, value)
    copy.save()
    return copy


def _refused(referral: Referral, **changes) -> bool:
    try:
        with transaction.atomic():
            _copy(referral, **changes)
    except IntegrityError:
        return True
    return False


def test_a_second_open_referral_for_the_same_service_is_refused(rules):
    referral = send_service_referral()
    assert _refused(referral)
    assert _refused(referral, status="accepted")
    # Ended referrals do not count, nor another service or another receiver.
    assert not _refused(referral, status="rejected")
    assert not _refused(referral, service="medical")
    Referral.objects.filter(pk=referral.pk).update(status="withdrawn")
    assert not _refused(referral, status="sent")


def test_a_second_open_referral_by_the_same_rule_is_refused(rules):
    bodies = county_bodies()
    sender = first_responder()
    request = services.ReferralRequest(
        receiver_organisation_id=bodies["child_protection"].pk, rule_code="child-protection"
    )
    referral = services.referrals_send(
        actor=sender, person=child(sender), county_code="RO-CJ", requests=[request]
    ).referrals[0]
    assert _refused(referral)
    assert not _refused(referral, status="completed")
